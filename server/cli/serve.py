"""floorlink serve: web server, realtime, device readers, MQTT ingest and relay in one process."""

from __future__ import annotations

import fcntl
import gc
import logging
import os
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote, urlparse

import click
from gunicorn.app.base import BaseApplication

from server import affinity, db, migrations
from server.config import Settings

log = logging.getLogger(__name__)


class FloorlinkServer(BaseApplication):
    """gunicorn with one threaded worker (Socket.IO needs one process per set of sockets)."""

    def __init__(self, settings: Settings, cpu: int | None = None) -> None:
        self.settings, self.cpu = settings, cpu
        super().__init__()

    def load_config(self) -> None:
        s = self.settings.server
        options: dict[str, Any] = {
            "bind": f"{s.host}:{s.port}",
            "workers": 1,
            "worker_class": "gthread",
            "threads": s.threads,
            "timeout": 60,
            "graceful_timeout": 5,
            "keepalive": 30,
            "accesslog": None,
            "loglevel": self.settings.log_level.lower(),
            "post_worker_init": self._start_worker,
            "worker_exit": _stop_services,
        }
        if "control_socket_disable" in self.cfg.settings:
            options["control_socket_disable"] = True
        for key, value in options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from server.app import create_app

        return create_app(self.settings)

    def _start_worker(self, worker: Any) -> None:
        if self.cpu is not None:
            affinity.pin_process(self.cpu)  # before any service starts a thread
        _start_services(worker)


def _start_services(worker: Any) -> None:
    worker.wsgi.extensions["floorlink"].start()
    # What startup built (modules, the app, its services: ~90k objects) lives as long as
    # the worker: frozen, a full collection of the cyclic GC (GIL held) walks only what
    # came after, instead of all of it every time (docs/performance.md, "Floor inputs").
    gc.collect()
    gc.freeze()


def _stop_services(server: Any, worker: Any) -> None:
    app = getattr(worker, "wsgi", None)
    if app is not None:
        app.extensions["floorlink"].stop()


def check_schema(settings: Settings) -> None:
    """Refuse to start on an out-of-date schema, before any worker is forked; warn when
    PostgreSQL has no room left for this process's pool."""
    database = db.bind(settings.database_url)
    try:
        migrations.check_current()
        if not settings.is_sqlite:
            warning = connection_room_warning(settings.server.threads + 8, db.connection_room())
            if warning:
                log.warning("%s", warning)
                click.echo(f"Warning: {warning}", err=True)
    except migrations.SchemaOutOfDate as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        database.close_all()


def connection_room_warning(pool: int, room: tuple[int, int, int]) -> str | None:
    """What to tell an operator whose PostgreSQL cannot take this process's pool (server/app.py
    opens up to server.threads + 8 connections): past max_connections, new connections are
    refused and inputs answer 503 under load, long after the start looked fine."""
    limit, reserved, used = room
    free = limit - reserved - used
    if free >= pool:
        return None
    return (
        f"this process may open {pool} PostgreSQL connections (server.threads + 8), but "
        f"only {max(free, 0)} are free (max_connections {limit}, {reserved} reserved for "
        f"superusers, {used} in use): under load some requests will get 503. Raise "
        "max_connections (deploy/postgresql-floorlink.conf sets 400) or lower "
        "server.threads on each process (docs/deployment.md)"
    )


def worker_cpu(settings: Settings) -> int | None:
    """The CPU the worker will run on (server.cpu), refused before anything starts."""
    try:
        return affinity.choose_cpu(settings.server.cpu, affinity.allowed_cpus())
    except affinity.CpuSettingError as exc:
        raise click.ClickException(str(exc)) from None


SQLITE_SECOND_PROCESS = (
    "another `floorlink serve` is already running on the SQLite database {path} "
    "(it holds {lock}). SQLite serves one process: to run several processes for one "
    'site, use PostgreSQL (database_url = "postgresql://...", docs/deployment.md).'
)


def hold_sqlite_serve_lock(settings: Settings) -> IO[str] | None:
    """On SQLite, the one `serve` of the database: an exclusive lock on `<db>.serve.lock`
    for the process's life (the kernel drops it when the process dies, even on kill -9);
    a second `serve` on the same file is refused with a message that says to use
    PostgreSQL. The CLI's other commands take no lock: they are short and SQLite's own
    locking serialises them. PostgreSQL: no lock, any number of processes."""
    if not settings.is_sqlite:
        return None
    raw = urlparse(settings.database_url).path
    path = unquote(raw[1:] if raw.startswith("/") else raw)
    if not path or path == ":memory:":
        return None
    lock = Path(f"{path}.serve.lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    handle = lock.open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise click.ClickException(SQLITE_SECOND_PROCESS.format(path=path, lock=lock)) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle


def serve(settings: Settings) -> None:
    lock = hold_sqlite_serve_lock(settings)  # kept open (and locked) until the process ends
    try:
        check_schema(settings)
        cpu = worker_cpu(settings)
        click.echo(f"Floorlink serving on http://{settings.server.host}:{settings.server.port}")
        FloorlinkServer(settings, cpu).run()
    finally:
        if lock is not None:
            lock.close()


def register(cli: click.Group) -> None:
    @cli.command("serve")
    @click.option("--host", default=None, help="Address to listen on.")
    @click.option("--port", default=None, type=int, help="Port to listen on.")
    @click.pass_obj
    def serve_command(ctx: Any, host: str | None, port: int | None) -> None:
        """Serve the floor: web, kiosks, OMS API, devices and webhooks."""
        server = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
        settings = ctx.settings(**({"server": server} if server else {}))
        serve(settings)
