"""Which process runs a job that must run once per site: a PostgreSQL advisory lock.

Several `floorlink serve` processes on one PostgreSQL database each start every background
service; a job that looks at the whole site (a sweep, the cold-chain watch, the idle
sessions' expiry) should run in one of them. `Lease(name).held()` is true in exactly one
process at a time: the one whose own connection holds the session-level advisory lock
`pg_try_advisory_lock(hashtext('floorlink:' || name))`. The lock lives as long as that
connection: a process that stops, crashes or is killed -9 loses it when PostgreSQL sees the
connection close, and the next `held()` of another process takes it over. No table, no
migration, no clock to trust.

On SQLite there is one `floorlink serve` per database (server/cli/serve.py refuses a
second), so a lease is always held.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from typing import Any

from server import db

log = logging.getLogger(__name__)

LOCK_SQL = "SELECT pg_try_advisory_lock(hashtext(%s))"
UNLOCK_SQL = "SELECT pg_advisory_unlock(hashtext(%s))"


def lock_key(name: str) -> str:
    return f"floorlink:{name}"


class Lease:
    def __init__(self, name: str) -> None:
        self.name = name
        self._conn: Any = None
        self._held = False
        self._mutex = threading.Lock()

    def held(self) -> bool:
        """Whether this process runs the job now (takes the lock when it is free)."""
        if not db.is_postgres():
            return True
        with self._mutex:
            try:
                return self._check()
            except Exception as exc:  # the connection or the server went away
                log.warning("lease %s: %s; trying again at the next turn", self.name, exc)
                self._drop()
                return False

    def _check(self) -> bool:
        if self._conn is None or self._conn.closed:
            self._conn, self._held = _connect(), False
        with self._conn.cursor() as cur:
            if self._held:
                cur.execute("SELECT 1")  # still connected, so still holding it
            else:
                cur.execute(LOCK_SQL, (lock_key(self.name),))
                self._held = bool(cur.fetchone()[0])
                if self._held:
                    log.info("this process now runs the %s", self.name)
        return self._held

    @property
    def held_here(self) -> bool:
        """Whether this process held the lease at its last check (no query)."""
        return self._held or not db.is_postgres()

    def vacant(self) -> bool:
        """Whether no process holds the lease now: tried and let go at once (a process
        watching another's lease, server/hardware/failover.py); False when it cannot tell."""
        if not db.is_postgres():
            return False
        with self._mutex:
            if self._held:
                return False
            try:
                if self._conn is None or self._conn.closed:
                    self._conn = _connect()
                with self._conn.cursor() as cur:
                    cur.execute(LOCK_SQL, (lock_key(self.name),))
                    free = bool(cur.fetchone()[0])
                    if free:
                        cur.execute(UNLOCK_SQL, (lock_key(self.name),))
                return free
            except Exception as exc:
                log.warning("lease %s: %s; cannot tell who holds it", self.name, exc)
                self._drop()
                return False

    def release(self) -> None:
        with self._mutex:
            self._drop()

    def _drop(self) -> None:
        conn, self._conn, self._held = self._conn, None, False
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()  # closing the session releases its advisory locks


def _connect() -> Any:
    """A connection of its own (not the pool's: the lock is bound to the session)."""
    import psycopg2

    database = db.database.obj
    conn = psycopg2.connect(dbname=database.database, **database.connect_params)
    conn.autocommit = True
    return conn
