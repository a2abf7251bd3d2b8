"""410 pauses an endpoint without losing anything; exhausted retries dead-letter and raise."""

from __future__ import annotations

from server.models import SupervisorException, WebhookDelivery, WebhookEndpoint
from server.spine import Spine
from server.sync.endpoints import SetEndpointStatus
from server.sync.relay import Relay
from server.sync.schedule import SCHEDULE_S
from tests.fixtures.app import Api
from tests.sync.conftest import TESTER, FakeClock, add_endpoint, emit, in_db
from tests.sync.receiver import Receiver


def test_410_pauses_and_resume_delivers_everything(
    spine: Spine, relay: Relay, receiver: Receiver, clock: FakeClock
) -> None:
    endpoint_id = add_endpoint(spine, receiver, ["order.*"])
    receiver.script = lambda _r: 410
    sent = emit(spine, *[("order.picked", f"order:G-{i}", {}) for i in range(4)])
    relay.drain()
    endpoint = in_db(lambda: WebhookEndpoint.get(WebhookEndpoint.endpoint_id == endpoint_id))
    assert endpoint.status == "paused" and "410" in endpoint.status_reason
    sent += emit(spine, ("order.packed", "order:G-0", {}))
    clock.advance(3600)
    relay.drain()
    assert len(receiver.log) == 1  # paused: nothing more was sent
    receiver.script = lambda _r: 200
    spine.execute(SetEndpointStatus(endpoint_id, "resume"), TESTER)
    relay.drain()
    assert sorted(receiver.accepted_ids()) == sorted(e["id"] for e in sent)


def test_dead_letter_raises_exception_and_replay_keeps_webhook_id(
    spine: Spine, relay: Relay, receiver: Receiver, clock: FakeClock, admin_api: Api
) -> None:
    endpoint_id = add_endpoint(spine, receiver, ["order.*"])
    receiver.script = lambda _r: 500
    [event] = emit(spine, ("order.dispatched", "order:DL", {"carrier": "DHL"}))
    relay.drain()
    for delay in SCHEDULE_S:
        clock.advance(delay * 1.3)
        relay.drain()
    assert len(receiver.log) == len(SCHEDULE_S) + 1
    assert {r.webhook_id for r in receiver.log} == {event["id"]}
    row = in_db(lambda: WebhookDelivery.get())
    assert row.status == "dead"
    later = emit(spine, ("order.cancelled", "order:DL", {}))  # the subject flows again
    receiver.script = lambda _r: 200
    relay.drain()
    assert receiver.accepted_ids() == [later[0]["id"]]

    listed = admin_api.get("/exceptions?status=open").json["data"]
    [exc] = [x for x in listed if x["kind"] == "webhook.dead_letter"]
    assert exc["data"]["event_id"] == event["id"] and exc["subject"] == "order:DL"
    replay = admin_api.post(f"/webhook-endpoints/{endpoint_id}/replay", {"event_id": event["id"]})
    assert replay.status_code == 200, replay.json
    relay.drain()
    assert receiver.accepted_ids()[-1] == event["id"]
    resolved = admin_api.post(f"/exceptions/{exc['id']}/resolve", {"resolution": "replayed"})
    assert resolved.status_code == 200 and resolved.json["status"] == "resolved"
    again = admin_api.post(f"/exceptions/{exc['id']}/resolve", {})
    assert again.status_code == 409
    assert in_db(lambda: SupervisorException.get().resolved_by).startswith("api_key:")
