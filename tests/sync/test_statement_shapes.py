"""The relay's statements come in a few shapes whatever the batch (server/sync/shapes.py):
one prepared statement per length of an IN list filled SQLite's statement cache of every
pooled connection with ~150 kB statements, and the relay's RSS grew with the backlog."""

from __future__ import annotations

from typing import Any

import pytest

from server.db import database
from server.models import WebhookDelivery
from server.spine import Spine
from server.sync.relay import Relay
from server.sync.shapes import NO_PAIR, bucket, padded, padded_pairs
from tests.sync.conftest import add_endpoint, emit, in_db
from tests.sync.receiver import Receiver


def test_lists_are_padded_to_a_power_of_two() -> None:
    assert [bucket(n) for n in (0, 1, 2, 3, 4, 5, 100, 2000, 4096)] == [
        1, 1, 2, 4, 4, 8, 128, 2048, 4096
    ]  # fmt: skip
    assert padded([]) == []
    assert padded([7, 8, 9]) == [7, 8, 9, 9]  # a repeated id changes no IN (...)
    assert padded_pairs([(1, "a")] * 3) == [(1, "a")] * 3 + [NO_PAIR]


def test_batches_of_17_to_32_subjects_use_the_statements_of_one(
    spine: Spine, relay: Relay, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_endpoint(spine, receiver)
    relay.drain()  # the endpoint's own event
    receiver.log.clear()
    seen: list[set[str]] = []
    execute_sql = database.obj.execute_sql

    def recording(sql: str, params: Any = None, *args: Any, **kwargs: Any) -> Any:
        seen[-1].add(sql)
        return execute_sql(sql, params, *args, **kwargs)

    for n in range(17, 33):  # one padded length (32) for heads, leases and settles
        emit(spine, *[("order.picked", f"order:S{n}-{i}", {"i": i}) for i in range(n)])
        relay.catch_up()
        seen.append(set())
        monkeypatch.setattr(database.obj, "execute_sql", recording)
        assert relay.step() == n
        monkeypatch.setattr(database.obj, "execute_sql", execute_sql)
    assert set().union(*seen) == seen[0]
    delivered = WebhookDelivery.status == "delivered"
    owed = sum(range(17, 33)) + 1  # and the endpoint's own event
    assert in_db(lambda: WebhookDelivery.select().where(delivered).count()) == owed
    assert len(receiver.log) == sum(range(17, 33))
