"""The fan-out's SQL filter picks exactly the events `filters.wants` picks."""

from __future__ import annotations

import pytest

from server.models import Event
from server.spine import Spine
from server.sync import filters, outbox
from tests.sync.conftest import emit, in_db

EVENTS = [
    ("order.picked", "order:A"),
    ("order.short_picked", "order:A"),
    ("orders.x", "order:B"),
    ("return.received", "rma:R"),
    ("inventory.adjusted", "sku:M"),
    ("webhook.test", "endpoint:we_me"),
    ("webhook.test", "endpoint:we_other"),
    ("webhook.endpoint_created", "endpoint:we_me"),
]


@pytest.mark.parametrize(
    "patterns",
    [
        ["*"],
        ["order.*"],
        ["order.picked"],
        ["order.*", "return.received"],
        ["webhook.*"],
        ["order.short_picked", "inventory.*"],
        ["nothing.here"],
    ],
)
def test_sql_filter_matches_python_filter(spine: Spine, patterns: list[str]) -> None:
    emit(spine, *[(type_, subject, {}) for type_, subject in EVENTS])
    query = Event.select(Event.type, Event.subject).where(outbox.wanted(patterns, "we_me"))
    picked = sorted(in_db(lambda: list(query.tuples())))
    expected = sorted(e for e in EVENTS if filters.wants(patterns, "we_me", *e))
    assert picked == expected
