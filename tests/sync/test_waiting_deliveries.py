"""Deliveries behind their subject's head wait (next_attempt_at = WAITING), so that a claim
reads only what is due however large the backlog (server/sync/outbox.py); every way a head
goes away makes the next one due, and the sweeps repair what another path left."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

from server.db import connection, database
from server.models import WebhookDelivery
from server.spine import Spine
from server.sync import outbox, waiting
from server.sync.endpoints import SetEndpointStatus
from server.sync.relay import Relay
from server.sync.schedule import SCHEDULE_S
from tests.sync.conftest import TESTER, FakeClock, add_endpoint, emit, in_db
from tests.sync.receiver import Receiver

D = WebhookDelivery


def due_by_subject() -> dict[str, list[int]]:
    """The seq... of the due (not WAITING) pending deliveries, by subject."""
    rows = in_db(
        lambda: list(
            D.select(D.subject, D.event_position, D.next_attempt_at)
            .where(D.status == "pending")
            .order_by(D.event_position)
            .tuples()
        )
    )
    due: dict[str, list[int]] = {}
    for subject, position, at in rows:
        if at != waiting.WAITING:
            due.setdefault(subject, []).append(position)
    return due


def test_the_fan_out_makes_only_heads_due_and_a_failed_chain_waits_again(
    spine: Spine, relay: Relay, receiver: Receiver, clock: FakeClock
) -> None:
    add_endpoint(spine, receiver, ["order.*"])
    receiver.script = lambda _r: 503
    for step in range(5):
        emit(spine, *[("order.picked", f"order:W-{s}", {"step": step}) for s in range(3)])
    relay.catch_up()
    due = due_by_subject()
    assert sorted(due) == ["order:W-0", "order:W-1", "order:W-2"]
    assert all(len(positions) == 1 for positions in due.values())  # the heads only
    relay.step()  # every head fails: its chain (the rest) waits again behind it
    assert all(len(positions) == 1 for positions in due_by_subject().values())
    assert len(receiver.log) == 3


def test_delivered_and_dead_heads_make_the_next_one_due_without_a_sweep(
    spine: Spine, receiver: Receiver, clock: FakeClock
) -> None:
    relay = Relay(spine, clock=clock, rand=lambda: 0.5, chain=1)  # one delivery per claim
    try:
        add_endpoint(spine, receiver, ["order.*"])
        sent = emit(spine, *[("order.picked", "order:N-1", {"i": i}) for i in range(3)])
        receiver.script = lambda r: 500 if r.webhook_id == sent[0]["id"] else 200
        relay.catch_up()
        relay.step()
        for delay in SCHEDULE_S:  # the first one fails until it is dead-lettered
            clock.advance(delay * 1.3)
            relay.step()
        first = in_db(lambda: D.select().order_by(D.event_position).get())
        assert first.status == "dead"
        for _ in range(3):
            relay.step()  # no catch_up, no sweep: promoted by the dead letter, then the settle
        assert receiver.accepted_ids() == [sent[1]["id"], sent[2]["id"]]
    finally:
        relay.sender.close()


def test_the_sweeps_mark_what_was_made_due_and_free_a_stranded_head(
    spine: Spine, relay: Relay, receiver: Receiver, clock: FakeClock
) -> None:
    endpoint_id = add_endpoint(spine, receiver, ["order.*"])
    emit(spine, *[("order.picked", "order:S-1", {"i": i}) for i in range(4)])
    relay.catch_up()
    spine.execute(SetEndpointStatus(endpoint_id, "pause"), TESTER)
    with connection():  # what an older Floorlink, or a race, leaves behind
        D.update(next_attempt_at=clock.now).execute()
    assert len(due_by_subject()["order:S-1"]) == 4
    with connection():
        assert waiting.mark_waiting(clock.now) == 3
        head = D.select().order_by(D.event_position).get()
        D.update(next_attempt_at=waiting.WAITING).where(D.id == head.id).execute()
    assert due_by_subject() == {}  # stranded: nothing due, nothing would be sent
    with connection():
        assert waiting.free_waiting(clock.now) == 1
    assert list(due_by_subject().values()) == [[head.event_position]]
    spine.execute(SetEndpointStatus(endpoint_id, "resume"), TESTER)
    relay.drain()
    seqs: list[Any] = [r.event["data"]["i"] for r in receiver.accepted]
    assert seqs == [0, 1, 2, 3]


def test_a_head_settled_while_a_fan_out_inserts_its_next_one_still_promotes_it(
    spine: Spine, relay: Relay, receiver: Receiver, clock: FakeClock
) -> None:
    """The race of two relay threads (or processes) on PostgreSQL: a fan-out that still sees
    the head pending inserts the next delivery WAITING, while the settle of that head cannot
    see the uncommitted row to promote it. The settle waits for the fan-out's lock on the
    endpoint, so the next delivery is due at once, not after the 300 s free_waiting sweep."""
    add_endpoint(spine, receiver, ["order.*"])
    emit(spine, ("order.picked", "order:R-1", {"i": 0}))
    relay.catch_up()
    head = in_db(lambda: D.get())
    emit(spine, ("order.picked", "order:R-1", {"i": 1}))  # not fanned out yet
    inserted, done = threading.Event(), threading.Event()

    def slow_fan_out() -> None:
        with connection(), database.atomic():
            assert outbox.fanout() == 1  # sees the head pending: the new one WAITING
            inserted.set()
            done.wait(0.5)  # the settle comes while this is not committed

    fan_out = threading.Thread(target=slow_fan_out)
    fan_out.start()
    assert inserted.wait(10)
    result = outbox.Settlement(
        delivered=[(head.id, 200)], subjects={(head.endpoint_id, head.subject)}
    )
    with connection():
        outbox.settle(result, clock.now)
    done.set()
    fan_out.join(10)
    assert list(due_by_subject().values()) == [[head.event_position + 1]]


def test_a_head_that_failed_is_claimed_alone_and_its_chain_follows_once_it_goes(
    spine: Spine, relay: Relay, receiver: Receiver, clock: FakeClock
) -> None:
    """While the endpoint is down, a retry leases the failed head only, not the chain
    behind it (which it would only release again); once the head goes through, the rest of
    the subject goes in chains as before, in order."""
    add_endpoint(spine, receiver, ["order.*"])
    receiver.script = lambda _r: 503
    sent = emit(spine, *[("order.picked", "order:R-1", {"i": i}) for i in range(6)])
    relay.catch_up()
    relay.step()  # the head's first attempt, in a chain of 6: fails at the head
    assert len(receiver.log) == 1
    clock.advance(SCHEDULE_S[0] * 1.3)
    with connection():
        [chain] = outbox.claim(relay.clock(), dt.timedelta(seconds=30), 10)
    assert [c.delivery_id for c in chain] == [chain[0].delivery_id] and chain[0].attempts == 1
    with connection(), database.atomic():  # give the lease back, as a relay that let go
        D.update(next_attempt_at=relay.clock()).where(D.id == chain[0].delivery_id).execute()
    receiver.script = lambda _r: 200
    for _ in range(4):
        relay.step()
    assert receiver.accepted_ids() == [e["id"] for e in sent]
