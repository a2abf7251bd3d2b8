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


def check_schema(settings: Settings) -> Settings:
    """Refuse to start on an out-of-date schema, before any worker is forked; on PostgreSQL,
    fit this process's pool in the connections max_connections leaves free (`fit_pool`).
    The settings to serve with."""
    database = db.bind(settings.database_url)
    try:
        migrations.check_current()
        if settings.is_sqlite:
            return settings
        pool, warning = fit_pool(settings.server.pool, db.connection_room())
    except migrations.SchemaOutOfDate as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        database.close_all()
    if warning:
        log.warning("%s", warning)
        click.echo(f"Warning: {warning}", err=True)
    server = settings.server.model_copy(update={"db_connections": pool})
    return settings.model_copy(update={"server": server})


# Connections left for what else starts on the same PostgreSQL (a CLI command, the relay).
SPARE_CONNECTIONS = 4
# A pool smaller than this serves too few requests at once to be worth starting with.
MIN_POOL = 4


def fit_pool(pool: int, room: tuple[int, int, int]) -> tuple[int, str | None]:
    """The pool this process opens (at most `pool`: server.db_connections, or server.threads
    + 8) and what to tell the operator when PostgreSQL has not room for all of it. Past
    max_connections a new connection is refused ("too many clients") and the request that
    needed it gets a 503; a pool that fits makes requests wait for a free connection
    instead (server/db.py: up to 30 s), which under load is a queue, not an error."""
    limit, reserved, used = room
    free = limit - reserved - used
    if free >= pool:
        return pool, None
    fitted = max(MIN_POOL, free - SPARE_CONNECTIONS)
    return fitted, (
        f"this process may open {pool} PostgreSQL connections (server.db_connections, or "
        f"server.threads + 8), but only {max(free, 0)} are free (max_connections {limit}, "
        f"{reserved} reserved for superusers, {used} in use): it keeps at most {fitted}, "
        "and under load requests wait for one. Raise max_connections "
        "(deploy/postgresql-floorlink.conf sets 400) or lower server.threads on each "
        "process (docs/deployment.md)"
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
        settings = check_schema(settings)
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
