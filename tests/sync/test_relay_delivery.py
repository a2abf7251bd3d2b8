"""The relay against a real loopback receiver, stepped with a fake clock."""

from __future__ import annotations

import random
from collections import defaultdict

from server.models import WebhookDelivery
from server.spine import Spine
from server.sync.relay import Relay
from server.sync.schedule import SCHEDULE_S
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
    # Up to the whole retry schedule (~66 h): with 100 events at 30 %, one of them failing
    # six or seven times in a row is not rare, and it holds its subject back meanwhile.
    for _ in range(sum(SCHEDULE_S) // 400 + 2):
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


def test_receiver_down_then_back_delivers_all_in_order(
    spine: Spine, relay: Relay, receiver: Receiver, clock: FakeClock
) -> None:
    add_endpoint(spine, receiver, ["order.*"])
    receiver.script = lambda _r: 503
    sent = []
    for i in range(5):
        sent += emit(spine, *[("order.packed", f"order:D-{s}", {"i": i}) for s in range(3)])
    relay.drain()
    clock.advance(10)
    relay.drain()  # still down: second failure, next try in ~5 min
    assert receiver.accepted == []
    receiver.script = lambda _r: 200
    clock.advance(400)
    relay.drain()
    assert sorted(receiver.accepted_ids()) == sorted(e["id"] for e in sent)
    _assert_in_order(receiver)


def _assert_in_order(receiver: Receiver) -> None:
    by_subject: dict[str, list[int]] = defaultdict(list)
    for r in receiver.accepted:
        assert r.valid
        by_subject[r.event["subject"]].append(r.event["seq"])
    for seqs in by_subject.values():
        assert seqs == sorted(seqs)


def test_failing_subject_holds_back_only_itself(
    spine: Spine, relay: Relay, receiver: Receiver
) -> None:
    add_endpoint(spine, receiver, ["order.*"])
    receiver.script = lambda r: 500 if r.event["subject"] == "order:BAD" else 200
    emit(spine, ("order.picked", "order:BAD", {}), ("order.picked", "order:OK", {}))
    emit(spine, ("order.packed", "order:BAD", {}), ("order.packed", "order:OK", {}))
    relay.drain()
    subjects = [(r.event["subject"], r.event["type"]) for r in receiver.log]
    assert subjects.count(("order:BAD", "order.packed")) == 0  # held back behind its head
    assert [s for s in subjects if s[0] == "order:OK"] == [
        ("order:OK", "order.picked"),
        ("order:OK", "order.packed"),
    ]


def test_retry_after_is_honoured(
    spine: Spine, relay: Relay, receiver: Receiver, clock: FakeClock
) -> None:
    add_endpoint(spine, receiver, ["order.*"])
    receiver.script = lambda _r: (429, {"Retry-After": "120"})
    emit(spine, ("order.picked", "order:R", {}))
    relay.drain()
    receiver.script = lambda _r: 200
    clock.advance(60)  # past the 5 s schedule, before Retry-After
    relay.drain()
    assert receiver.accepted == []
    clock.advance(70)
    relay.drain()
    assert len(receiver.accepted) == 1


def test_redirect_is_a_failure(spine: Spine, relay: Relay, receiver: Receiver) -> None:
    add_endpoint(spine, receiver, ["order.*"])
    receiver.script = lambda _r: (307, {"Location": "http://127.0.0.1:1/elsewhere"})
    emit(spine, ("order.picked", "order:X", {}))
    relay.drain()
    row = in_db(lambda: WebhookDelivery.get())
    assert (row.status, row.attempts, row.last_status) == ("pending", 1, 307)
