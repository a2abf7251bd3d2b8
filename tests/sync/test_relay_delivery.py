"""The relay against a real loopback receiver, stepped with a fake clock."""

from __future__ import annotations

import random
from collections import defaultdict

from server.models import WebhookDelivery
from server.spine import Spine
from server.sync.relay import Relay
from tests.sync.conftest import FakeClock, add_endpoint, emit, in_db
from tests.sync.receiver import Receiver


def test_delivers_signed_event_with_standard_headers(
    spine: Spine, relay: Relay, receiver: Receiver
) -> None:
    add_endpoint(spine, receiver, ["order.*"])
    [event] = emit(spine, ("order.picked", "order:WEB-1", {"lines": 1}))
    emit(spine, ("inventory.adjusted", "sku:MUG", {"delta": 1}))  # filtered out
    assert relay.drain() == 1
    [got] = receiver.accepted
    assert got.valid
    assert got.webhook_id == event["id"]
    assert got.event == event
    assert set(got.headers) >= {"webhook-id", "webhook-timestamp", "webhook-signature"}


def test_random_500s_keep_order_and_deliver_everything(
    spine: Spine, relay: Relay, receiver: Receiver, clock: FakeClock
) -> None:
    add_endpoint(spine, receiver, ["order.*"])
    chance = random.Random(7)
    receiver.script = lambda _r: 500 if chance.random() < 0.3 else 200
    sent = []
    for i in range(20):
        sent += emit(spine, *[("order.picked", f"order:O-{s}", {"i": i}) for s in range(5)])
    for _ in range(200):
        relay.drain()
        clock.advance(400)  # past the first two retry delays
        if len(receiver.accepted) == len(sent):
            break
    by_subject: dict[str, list[int]] = defaultdict(list)
    for r in receiver.accepted:
        assert r.valid
        by_subject[r.event["subject"]].append(r.event["seq"])
    assert sorted(receiver.accepted_ids()) == sorted(e["id"] for e in sent)
    assert all(seqs == sorted(seqs) for seqs in by_subject.values())
    assert (
        in_db(lambda: WebhookDelivery.select().where(WebhookDelivery.status != "delivered").count())
        == 0
    )
