"""A database that cannot take the work is translated once (server.errors.unavailable): a full
disk is StorageFull, any other outage Unavailable, both a 503 problem+json with Retry-After at
the HTTP edge whichever driver raised it, and nothing else is mistaken for one.

The real full disk, under a real `floorlink serve`, is tests/server/test_full_disk.py; this
covers the errors a test cannot cause on this machine (PostgreSQL's disk_full, 53100)."""

from __future__ import annotations

import errno
import sqlite3
from typing import Any

import peewee
import psycopg2.errors
import pytest

from server.api.problems import status_of
from server.errors import InvalidInput, StorageFull, Unavailable, unavailable
from server.spine import Spine
from tests.fixtures.app import Api


def sqlite_full() -> sqlite3.OperationalError:
    """A real SQLITE_FULL: a database past its max_page_count."""
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (x)")
    conn.execute("PRAGMA max_page_count = 2")
    try:
        for _ in range(100):
            conn.execute("INSERT INTO t VALUES (randomblob(1000))")
    except sqlite3.OperationalError as exc:
        assert exc.sqlite_errorname == "SQLITE_FULL"
        return exc
    finally:
        conn.close()
    raise AssertionError("max_page_count did not fill the database")


def wrapped(exc: Exception) -> Exception:
    """`exc` as peewee raises it (peewee.OperationalError with `orig`)."""
    try:
        with peewee.__exception_wrapper__:
            raise exc
    except peewee.PeeweeException as translated:
        return translated
    raise AssertionError("peewee did not translate it")


def during_rollback(first: Exception) -> Exception:
    """A failed ROLLBACK raised while `first` was being handled (what reached the edges before
    server/db.py KeepsTheFirstError)."""
    try:
        try:
            raise first
        except Exception:
            raise peewee.OperationalError("cannot rollback - no transaction is active") from None
    except peewee.OperationalError as exc:
        exc.__context__ = first
        return exc


def pg_disk_full() -> Exception:
    return psycopg2.errors.DiskFull('could not extend file "base/16384/2619": No space left')


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (sqlite_full, StorageFull),
        (lambda: wrapped(sqlite_full()), StorageFull),
        (lambda: during_rollback(sqlite_full()), StorageFull),
        (pg_disk_full, StorageFull),
        (lambda: wrapped(pg_disk_full()), StorageFull),
        (lambda: OSError(errno.ENOSPC, "No space left on device"), StorageFull),
        (lambda: peewee.OperationalError("database is locked"), Unavailable),
        (lambda: wrapped(psycopg2.OperationalError("server closed the connection")), Unavailable),
        (lambda: peewee.InterfaceError("connection already closed"), Unavailable),
        (lambda: peewee.IntegrityError("UNIQUE constraint failed"), None),
        (lambda: ValueError("a bug"), None),
        (lambda: InvalidInput("bad"), None),
    ],
)
def test_what_each_database_error_means(make: Any, expected: type | None) -> None:
    refused = unavailable(make())
    assert type(refused) is expected if expected else refused is None
    if refused is not None:
        assert status_of(refused) == 503


@pytest.mark.parametrize("make", [lambda: wrapped(pg_disk_full()), sqlite_full])
def test_the_api_answers_a_full_disk_with_503_storage_full(
    site: Api, monkeypatch: pytest.MonkeyPatch, make: Any
) -> None:
    def full(*_: Any, **__: Any) -> Any:
        raise make()

    monkeypatch.setattr(Spine, "execute", full)
    monkeypatch.setattr(Spine, "execute_grouped", full)
    body = {"external_id": "W-1", "channel": "web", "lines": [{"line_id": "1", "sku": "MUG", "qty": 1}]}  # fmt: skip
    r = site.post("/orders", body, headers={"Idempotency-Key": "W-1"})
    assert r.status_code == 503
    assert r.mimetype == "application/problem+json"
    assert r.json["title"] == "Storage full"
    assert r.json["type"] == "https://floorlink.dev/problems/storage-full"
    assert r.headers["Retry-After"] == str(StorageFull.retry_after_s)
