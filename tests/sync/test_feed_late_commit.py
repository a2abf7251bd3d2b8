"""The feed never skips an event that committed late (run it on PostgreSQL too).

Transaction A appends an event and holds its commit; B appends after it and would commit
first if it could. A reader polling in between must not move its cursor past A: once both
commit it reads A then B, in that order.
"""

from __future__ import annotations

import threading

from server import eventlog
from server.db import database
from server.spine import Spine
from tests.fixtures.app import Api
from tests.fixtures.areas import TestEvent
from tests.sync.conftest import emit


def test_reader_in_between_sees_both_in_commit_order(api: Api, spine: Spine) -> None:
    emit(spine, ("order.accepted", "order:BEFORE", {}))
    page = api.get("/events").json
    cursor = page["next_cursor"]
    appended, release, b_done = threading.Event(), threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def transaction_a() -> None:
        try:
            with database.connection_context(), database.atomic():
                eventlog.append([TestEvent("order.picked", "order:A", {})], "test")
                appended.set()
                release.wait(20)
        except BaseException as exc:  # reported to the test thread
            errors.append(exc)

    def transaction_b() -> None:
        try:
            appended.wait(20)
            emit(spine, ("order.picked", "order:B", {}))
            b_done.set()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=transaction_a), threading.Thread(target=transaction_b)]
    for thread in threads:
        thread.start()
    assert appended.wait(20)
    for _ in range(5):  # poll while A holds its commit
        polled = api.get(f"/events?after={cursor}").json
        assert polled["data"] == [], "saw an event past one not yet committed"
        cursor = polled["next_cursor"]
    assert not b_done.is_set(), "B committed while A, appended before it, was still open"
    release.set()
    for thread in threads:
        thread.join(30)
    assert not errors
    after = api.get(f"/events?after={cursor}").json["data"]
    assert [e["subject"] for e in after] == ["order:A", "order:B"]
