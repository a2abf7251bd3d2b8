"""floorlink relay: the webhook relay on its own (several may run against PostgreSQL)."""

from __future__ import annotations

import logging
import signal
import threading
from typing import Any

import click

from server import db, migrations
from server.bootstrap import build_runtime
from server.sync import memory
from server.sync.service import from_settings

log = logging.getLogger(__name__)


def register(cli: click.Group) -> None:
    @cli.command("relay")
    @click.option("--workers", default=8, show_default=True, help="Sending threads.")
    @click.pass_obj
    def relay(ctx: Any, workers: int) -> None:
        """Deliver webhooks until SIGTERM/SIGINT (polls relay.poll_interval_s)."""
        settings = ctx.settings()
        database = db.bind(
            settings.database_url,
            max_connections=workers + 4,
            sqlite_cache_kib=memory.RELAY_SQLITE_CACHE_KIB,
        )
        try:
            migrations.check_current()
        except migrations.SchemaOutOfDate as exc:
            raise click.ClickException(str(exc)) from None
        spine = build_runtime(settings).spine
        service = from_settings(settings.section("relay"), spine, workers=workers)
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        service.start()
        click.echo(f"relay running with {workers} workers", err=True)
        while not stop.wait(3600):
            pass
        service.stop()
        database.close_all()
