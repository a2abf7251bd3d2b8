"""`seq` counts each subject's events one by one: within one append, across appends, and
across concurrent transactions (run it on PostgreSQL too)."""

from __future__ import annotations

import threading

from server import eventlog
from server.db import database
from server.models import Event
from tests.fixtures.app import Api
from tests.fixtures.areas import TestEvent


def _append(*subjects: str) -> list[dict]:  # type: ignore[type-arg]
    with database.connection_context(), database.atomic():
        return eventlog.append(
            [TestEvent("order.picked", s, {"n": i}) for i, s in enumerate(subjects)], "test"
        )


def test_one_append_numbers_each_subject_from_its_last(api: Api) -> None:
    first = _append("order:A", "order:B", "order:A")
    assert [(e["subject"], e["seq"]) for e in first] == [
        ("order:A", 1),
        ("order:B", 1),
        ("order:A", 2),
    ]
    second = _append("order:A", "order:A", "order:C", "order:B", "order:A")
    assert [e["seq"] for e in second] == [3, 4, 1, 2, 5]
    with database.connection_context():
        stored = [(e.subject, e.seq, e.data["n"]) for e in Event.select().order_by(Event.position)]
    assert stored[-5:] == [
        ("order:A", 3, 0),
        ("order:A", 4, 1),
        ("order:C", 1, 2),
        ("order:B", 2, 3),
        ("order:A", 5, 4),
    ]
    feed = api.get("/events?limit=100").json["data"]
    assert [e["seq"] for e in feed if e["subject"] == "order:A"] == [1, 2, 3, 4, 5]


def test_concurrent_appends_to_one_subject_never_share_a_seq(api: Api) -> None:
    errors: list[BaseException] = []

    def appender() -> None:
        try:
            for _ in range(20):
                _append("order:HOT", "order:HOT")
        except BaseException as exc:  # reported to the test thread
            errors.append(exc)

    threads = [threading.Thread(target=appender) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    with database.connection_context():
        seqs = [
            e.seq
            for e in Event.select().where(Event.subject == "order:HOT").order_by(Event.position)
        ]
    assert seqs == list(range(1, 161))


def test_a_large_append_is_numbered_across_its_statements(api: Api) -> None:
    count = eventlog.CHUNK * 2 + 7
    events = _append(*(["order:BIG", "order:OTHER"] * (count // 2)), "order:BIG")
    big = [e["seq"] for e in events if e["subject"] == "order:BIG"]
    other = [e["seq"] for e in events if e["subject"] == "order:OTHER"]
    assert big == list(range(1, len(big) + 1))
    assert other == list(range(1, len(other) + 1))
