"""Group commit: concurrent commands share one transaction, each in its own savepoint."""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass
from typing import Any

import pytest

from server.db import database, storage_full
from server.models import Event
from server.spine import SYSTEM, Dedupe, Spine, Unit
from tests.fixtures.areas import TEST_HANDLERS, TestEvent
from tests.fixtures.database import on_postgres

first_running = threading.Event()
release_first = threading.Event()


@dataclass(frozen=True)
class Note:
    name: str
    fail: bool = False
    hold: bool = False


@TEST_HANDLERS.handles(Note)
def note(cmd: Note, unit: Unit) -> dict[str, Any]:
    if cmd.hold:
        first_running.set()
        release_first.wait(10)
    unit.record(TestEvent("test.noted", f"test:{cmd.name}", {"name": cmd.name}))
    if cmd.fail:
        raise ValueError(f"{cmd.name} fails")
    return {"name": cmd.name, "ran_on": threading.current_thread().name}


def _queued(spine: Spine) -> int:
    with spine._group._lock:
        return len(spine._group._queue)


@pytest.mark.skipif(on_postgres, reason="SQLite only: on PostgreSQL commands are not grouped")
def test_waiting_commands_commit_together_and_fail_alone(db_url: str) -> None:
    spine, results = Spine(TEST_HANDLERS.table), {}
    first_running.clear()
    release_first.clear()

    def run(cmd: Note, dedupe: str | None = None) -> None:
        try:
            key = Dedupe(dedupe) if dedupe else None
            results[cmd.name] = spine.execute_grouped(cmd, SYSTEM, key).result
        except ValueError as exc:
            results[cmd.name] = exc

    first = threading.Thread(target=run, args=(Note("a", hold=True),), name="a")
    first.start()
    assert first_running.wait(10)
    deadline = time.monotonic() + 10
    others = [
        threading.Thread(target=run, args=args, name=args[0].name)
        for args in [(Note("b"), "k-1"), (Note("c", fail=True),), (Note("d"), "k-1"), (Note("e"),)]
    ]
    for i, thread in enumerate(others):
        thread.start()
        while _queued(spine) < i + 1 and time.monotonic() < deadline:
            time.sleep(0.01)
    release_first.set()
    for thread in [first, *others]:
        thread.join(10)

    # b, c, d, e queued while a ran: whichever of them woke first led them as ONE group
    # (one transaction, a savepoint each), all on the leader's thread.
    assert results["a"] == {"name": "a", "ran_on": "a"}
    leader = results["b"]["ran_on"]
    assert leader in {"b", "c", "d", "e"}
    assert results["b"] == {"name": "b", "ran_on": leader}
    assert results["d"] == results["b"]  # same input id in the same group: replayed
    assert results["e"] == {"name": "e", "ran_on": leader}
    assert isinstance(results["c"], ValueError)
    with database.connection_context():
        noted = sorted(e.subject for e in Event.select().where(Event.type == "test.noted"))
    assert noted == ["test:a", "test:b", "test:e"]


@pytest.mark.skipif(not on_postgres, reason="PostgreSQL: each command its own transaction")
def test_on_postgres_a_command_does_not_wait_in_the_transaction_of_another(db_url: str) -> None:
    """A shared transaction held the row locks of every command of its group, taken in no
    order, until it committed: deadlocks with order acceptance (found by tests/faults). On
    PostgreSQL a command commits in a transaction of its own while another is running."""
    spine, results = Spine(TEST_HANDLERS.table), {}
    first_running.clear()
    release_first.clear()

    def run(cmd: Note) -> None:
        results[cmd.name] = spine.execute_grouped(cmd, SYSTEM).result

    first = threading.Thread(target=run, args=(Note("a", hold=True),), name="a")
    first.start()
    assert first_running.wait(10)
    second = threading.Thread(target=run, args=(Note("b"),), name="b")
    second.start()
    second.join(10)
    assert results.get("b") == {"name": "b", "ran_on": "b"}  # committed while a still runs
    release_first.set()
    first.join(10)
    assert results["a"] == {"name": "a", "ran_on": "a"}


@pytest.mark.parametrize("threads", [16])
def test_many_concurrent_commands_all_commit_once(db_url: str, threads: int) -> None:
    spine, errors = Spine(TEST_HANDLERS.table), []

    def run(t: int) -> None:
        for i in range(10):
            try:
                spine.execute_grouped(Note(f"{t}-{i}"), SYSTEM, Dedupe(f"n:{t}:{i}"))
                spine.execute_grouped(Note(f"{t}-{i}"), SYSTEM, Dedupe(f"n:{t}:{i}"))
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)

    workers = [threading.Thread(target=run, args=(t,)) for t in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert not errors
    with database.connection_context():
        assert Event.select().where(Event.type == "test.noted").count() == threads * 10


@dataclass(frozen=True)
class LoseTheTransaction:
    """What SQLite does on some errors (SQLITE_FULL at a cache spill, SQLITE_IOERR): it rolls
    the whole transaction back by itself, then the statement fails."""

    name: str


@TEST_HANDLERS.handles(LoseTheTransaction)
def lose_the_transaction(cmd: LoseTheTransaction, unit: Unit) -> None:
    unit.record(TestEvent("test.noted", f"test:{cmd.name}", {"name": cmd.name}))
    database.connection().execute("ROLLBACK")  # behind peewee's back, as SQLite would
    raise sqlite3.OperationalError("database or disk is full")


@pytest.mark.skipif(on_postgres, reason="PostgreSQL never ends a transaction by itself")
def test_a_group_that_sqlite_rolled_back_fails_for_everyone_in_it(db_url: str) -> None:
    """Nobody in the group is told it committed, and nobody queued after the failure runs
    outside the group's transaction (a SAVEPOINT then opens one of its own and commits)."""
    spine, results = Spine(TEST_HANDLERS.table), {}
    first_running.clear()
    release_first.clear()

    def run(cmd: Any) -> None:
        try:
            results[cmd.name] = spine.execute_grouped(cmd, SYSTEM).result
        except Exception as exc:
            results[cmd.name] = exc

    first = threading.Thread(target=run, args=(Note("a", hold=True),), name="a")
    first.start()
    assert first_running.wait(10)
    deadline = time.monotonic() + 10
    others = [threading.Thread(target=run, args=(cmd,)) for cmd in
              (Note("b"), LoseTheTransaction("c"), Note("e"))]  # fmt: skip
    for i, thread in enumerate(others):
        thread.start()
        while _queued(spine) < i + 1 and time.monotonic() < deadline:
            time.sleep(0.01)
    release_first.set()
    for thread in [first, *others]:
        thread.join(10)

    assert results["a"]["name"] == "a"
    for name in "bce":
        assert storage_full(results[name]), (name, results[name])
    with database.connection_context():
        noted = sorted(e.subject for e in Event.select().where(Event.type == "test.noted"))
    assert noted == ["test:a"]
