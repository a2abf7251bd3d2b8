"""The database, chosen at run time from a URL (SQLite by default, PostgreSQL in production).

Models bind to `database`, a proxy; nothing connects at import time. SQLite runs in WAL mode
with foreign keys, synchronous=FULL (an acknowledged write survives power loss) and a busy
timeout; every write transaction takes the write lock up front (BEGIN IMMEDIATE) so two
writers never deadlock on a lock upgrade.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qs, unquote, urlparse

import peewee
from playhouse.pool import PooledPostgresqlDatabase, PooledSqliteDatabase

from server.writes import WriteWatch

log = logging.getLogger(__name__)
database = peewee.DatabaseProxy()
Q = TypeVar("Q", bound="peewee.ModelSelect[Any]")

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "synchronous": "full",
    "busy_timeout": 10_000,
    "cache_size": -16_000,
    # savepoint sub-journals in memory, not temp files: a grouped floor input runs in a
    # savepoint, and each spilled one cost pwrites and an open/unlink per input
    "temp_store": "memory",
}


class DatabaseUrlError(ValueError):
    pass


class SerializedWriters:
    """Mixin for SQLite: this process's write transactions queue on a lock, not on SQLite.

    SQLite lets one writer in at a time; the others wait in its busy handler, which sleeps
    (up to 100 ms a turn) instead of being woken, so under load the lock sat idle while
    writers slept. Queuing on a Python lock hands it over at once. Other processes (the
    CLI) still meet SQLite's own busy timeout. Waiting is bounded: past WAIT_S the
    transaction proceeds and SQLite arbitrates as before.
    """

    WAIT_S = 30.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._writer = threading.Lock()
        self._holder = threading.local()

    def begin(self, lock_type: str | None = None) -> None:
        held = self._writer.acquire(timeout=self.WAIT_S)
        if not held:
            log.warning("waited %.0f s for the write lock; leaving it to SQLite", self.WAIT_S)
        try:
            super().begin(lock_type)  # type: ignore[misc]
        except BaseException:
            if held:
                self._writer.release()
            raise
        self._holder.held = held

    def commit(self) -> None:
        try:
            super().commit()  # type: ignore[misc]
        finally:
            self._release()

    def rollback(self) -> None:
        try:
            super().rollback()  # type: ignore[misc]
        finally:
            self._release()

    def _release(self) -> None:
        if getattr(self._holder, "held", False):
            self._holder.held = False
            self._writer.release()


class _Savepoint(peewee._savepoint):
    """A savepoint whose rollback knows that SQLite may have rolled everything back itself."""

    def rollback(self, begin: bool = True) -> None:
        if not self.db.in_sqlite_transaction():
            if begin:  # a SAVEPOINT now would open a new transaction, outside the caller's
                raise peewee.OperationalError("SQLite rolled the transaction back")
            return
        super().rollback(begin)


class KeepsTheFirstError:
    """Mixin for SQLite: the error that ended a transaction is the one the caller sees.

    After some errors (SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM) SQLite rolls the whole
    transaction back by itself (https://www.sqlite.org/lang_transaction.html, "Response To
    Errors Within A Transaction"). The ROLLBACK (or ROLLBACK TO a savepoint) that peewee
    sends on the way out then fails with "no transaction is active", and that error, not
    "database or disk is full", reached the edges: the rollback is skipped when there is
    nothing left to roll back. `transaction_lost()` says when peewee still holds a
    transaction that SQLite already ended (group commit stops its group then).
    """

    _state: Any

    def in_sqlite_transaction(self) -> bool:
        conn = self._state.conn
        return conn is not None and bool(conn.in_transaction)

    def transaction_lost(self) -> bool:
        depth: int = self.transaction_depth()
        return depth > 0 and self._state.conn is not None and not self.in_sqlite_transaction()

    def rollback(self) -> None:
        if self._state.conn is not None and not self.in_sqlite_transaction():
            return
        super().rollback()  # type: ignore[misc]

    def savepoint(self) -> _Savepoint:
        return _Savepoint(self)


class _SqliteDatabase(SerializedWriters, KeepsTheFirstError, WriteWatch, PooledSqliteDatabase):
    """Pooled SQLite that reports written tables to the spine (server.writes)."""


class _PostgresqlDatabase(WriteWatch, PooledPostgresqlDatabase):
    """Pooled PostgreSQL that reports written tables to the spine (server.writes)."""


def open_database(
    url: str, max_connections: int = 32, sqlite_cache_kib: int | None = None
) -> peewee.Database:
    """A pooled database for the URL: sqlite:///relative.db, sqlite:////abs.db, postgresql://...

    `sqlite_cache_kib` replaces SQLite's page cache size per connection (cache_size,
    16 MB): the relay process asks for less (server/sync/memory.py)."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = unquote(parsed.path[1:] if parsed.path.startswith("/") else parsed.path)
        if not path:
            raise DatabaseUrlError(f"no file in SQLite URL {url!r}")
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        pragmas = dict(SQLITE_PRAGMAS)
        if sqlite_cache_kib is not None:
            pragmas["cache_size"] = -sqlite_cache_kib
        return _SqliteDatabase(
            path,
            pragmas=pragmas,
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


def connection_room() -> tuple[int, int, int]:
    """PostgreSQL's (max_connections, superuser_reserved_connections, connections in use
    by others than this one)."""
    cursor = database.execute_sql(
        "SELECT current_setting('max_connections')::int, "
        "current_setting('superuser_reserved_connections')::int, "
        "(SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend') - 1"
    )
    limit, reserved, used = cursor.fetchone()
    return int(limit), int(reserved), int(used)


def bind(
    url: str, max_connections: int = 32, sqlite_cache_kib: int | None = None
) -> peewee.Database:
    """Point every model at the database behind `url` and return it."""
    db = open_database(url, max_connections=max_connections, sqlite_cache_kib=sqlite_cache_kib)
    if database.obj is not None:
        with contextlib.suppress(Exception):
            database.obj.close_all()
    database.initialize(db)
    return db


def transaction_lost() -> bool:
    """This thread's transaction was rolled back by SQLite itself (KeepsTheFirstError);
    always False on PostgreSQL, which keeps a failed transaction open until ROLLBACK."""
    lost = getattr(database.obj, "transaction_lost", None)
    return bool(lost is not None and lost())


# SQLite's primary result code for a full disk (or database over max_page_count), and
# PostgreSQL's SQLSTATE disk_full.
SQLITE_FULL = 13
PG_DISK_FULL = "53100"
SQLITE_ERRORS = (sqlite3.Error, peewee.DatabaseError)  # SQLite's text, as sqlite3 or peewee


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """`exc`, the driver's error peewee wrapped (`orig`), and what it was raised from or
    during (a failed ROLLBACK raised while handling a full disk), each once."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        for nxt in (getattr(current, "orig", None), current.__cause__, current.__context__):
            if isinstance(nxt, BaseException):
                todo.append(nxt)


def storage_full(exc: BaseException) -> bool:
    """Whether a database error says its disk is full: SQLITE_FULL, PostgreSQL's DiskFull
    (53100), or ENOSPC from the operating system."""
    for cause in _causes(exc):
        code = getattr(cause, "sqlite_errorcode", None)
        if isinstance(code, int) and (code & 0xFF) == SQLITE_FULL:
            return True
        if getattr(cause, "pgcode", None) == PG_DISK_FULL or type(cause).__name__ == "DiskFull":
            return True
        if isinstance(cause, OSError) and cause.errno == errno.ENOSPC:
            return True
        if isinstance(cause, SQLITE_ERRORS) and "database or disk is full" in str(cause):
            return True
    return False


def unreachable(exc: BaseException) -> bool:
    """Whether an error is the database failing to take the work (busy, gone, full), as
    opposed to the work itself being wrong (an IntegrityError, a bug)."""
    failures = (peewee.OperationalError, peewee.InterfaceError, sqlite3.OperationalError)
    return storage_full(exc) or any(isinstance(c, failures) for c in _causes(exc))


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
