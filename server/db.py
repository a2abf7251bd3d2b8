"""The database, chosen at run time from a URL (SQLite by default, PostgreSQL in production).

Models bind to `database`, a proxy; nothing connects at import time. SQLite runs in WAL mode
with foreign keys, synchronous=FULL (an acknowledged write survives power loss) and a busy
timeout; every write transaction takes the write lock up front (BEGIN IMMEDIATE) so two
writers never deadlock on a lock upgrade.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qs, unquote, urlparse

import peewee
from playhouse.pool import PooledPostgresqlDatabase, PooledSqliteDatabase

from server.writes import WriteWatch

database = peewee.DatabaseProxy()
Q = TypeVar("Q", bound="peewee.ModelSelect[Any]")

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "synchronous": "full",
    "busy_timeout": 10_000,
    "cache_size": -16_000,
}


class DatabaseUrlError(ValueError):
    pass


class _SqliteDatabase(WriteWatch, PooledSqliteDatabase):
    """Pooled SQLite that reports written tables to the spine (server.writes)."""


class _PostgresqlDatabase(WriteWatch, PooledPostgresqlDatabase):
    """Pooled PostgreSQL that reports written tables to the spine (server.writes)."""


def open_database(url: str, max_connections: int = 32) -> peewee.Database:
    """A pooled database for the URL: sqlite:///relative.db, sqlite:////abs.db, postgresql://..."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = unquote(parsed.path[1:] if parsed.path.startswith("/") else parsed.path)
        if not path:
            raise DatabaseUrlError(f"no file in SQLite URL {url!r}")
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        return _SqliteDatabase(
            path,
            pragmas=SQLITE_PRAGMAS,
            lock_type="IMMEDIATE",
            max_connections=max_connections,
            stale_timeout=600,
            check_same_thread=False,
            timeout=30,
        )
    if parsed.scheme in ("postgres", "postgresql"):
        options = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
        return _PostgresqlDatabase(
            unquote(parsed.path.lstrip("/")),
            user=unquote(parsed.username) if parsed.username else None,
            password=unquote(parsed.password) if parsed.password else None,
            host=parsed.hostname,
            port=parsed.port,
            max_connections=max_connections,
            stale_timeout=600,
            timeout=30,
            **options,
        )
    raise DatabaseUrlError(f"unsupported database URL scheme {parsed.scheme!r} in {url!r}")


def bind(url: str, max_connections: int = 32) -> peewee.Database:
    """Point every model at the database behind `url` and return it."""
    db = open_database(url, max_connections=max_connections)
    if database.obj is not None:
        with contextlib.suppress(Exception):
            database.obj.close_all()
    database.initialize(db)
    return db


def is_postgres() -> bool:
    return isinstance(database.obj, peewee.PostgresqlDatabase)


@contextlib.contextmanager
def connection() -> Iterator[None]:
    """Hold a pooled connection for this thread for the duration of the block."""
    opened = database.connect(reuse_if_open=True)
    try:
        yield
    finally:
        if opened and not database.in_transaction():
            database.close()


def for_update(query: Q) -> Q:
    """Row locks where the engine has them (PostgreSQL); SQLite already holds the write lock."""
    return query.for_update() if is_postgres() else query
