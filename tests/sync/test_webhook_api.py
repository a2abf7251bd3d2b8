"""The admin API of webhook endpoints, rotation, test events and the event feed."""

from __future__ import annotations

import pytest
from standardwebhooks.webhooks import Webhook

from server.spine import Spine
from server.sync.relay import Relay
from tests.fixtures.app import Api
from tests.sync.conftest import emit
from tests.sync.receiver import Receiver


def _create(admin_api: Api, url: str, events: list[str]) -> dict[str, str]:
    response = admin_api.post("/webhook-endpoints", {"url": url, "events": events})
    assert response.status_code == 201, response.json
    return response.json


def test_crud_never_returns_the_secret_again(admin_api: Api, api: Api) -> None:
    created = _create(admin_api, "https://oms.example/hooks", ["order.*"])
    assert created["secret"].startswith("whsec_")
    endpoint_id = created["id"]
    got = admin_api.get(f"/webhook-endpoints/{endpoint_id}").json
    assert "secret" not in got and got["events"] == ["order.*"]
    assert all("secret" not in e for e in admin_api.get("/webhook-endpoints").json["data"])
    patched = admin_api.client.patch(
        f"/api/v1/webhook-endpoints/{endpoint_id}",
        json={"events": ["order.picked", "return.*"]},
        headers={"Authorization": f"Bearer {admin_api.key}"},
    )
    assert patched.status_code == 200 and patched.json is not None
    assert patched.json["events"] == ["order.picked", "return.*"]
    assert api.get("/webhook-endpoints").status_code == 403  # oms scope is not enough
    deleted = admin_api.client.delete(
        f"/api/v1/webhook-endpoints/{endpoint_id}",
        headers={"Authorization": f"Bearer {admin_api.key}"},
    )
    assert deleted.status_code == 200
    assert admin_api.get(f"/webhook-endpoints/{endpoint_id}").status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"url": "ftp://x/y", "events": ["*"]},
        {"url": "https://oms/hooks", "events": []},
        {"url": "https://oms/hooks", "events": ["Order!"]},
        {"url": "https://oms/hooks"},
        {"url": 3, "events": ["*"]},
    ],
)
def test_bad_endpoints_are_problems(admin_api: Api, body: dict[str, object]) -> None:
    response = admin_api.post("/webhook-endpoints", body)
    assert response.status_code in (400, 422)
    assert response.content_type == "application/problem+json"


def test_rotation_signs_with_both_secrets_and_test_event_goes_to_one_endpoint(
    admin_api: Api, spine: Spine, relay: Relay, receiver: Receiver
) -> None:
    first = _create(admin_api, receiver.url, ["order.*"])
    other = _create(admin_api, receiver.url + "/other", ["*"])
    rotated = admin_api.post(f"/webhook-endpoints/{first['id']}/rotate", {})
    assert rotated.status_code == 200 and rotated.json["secret"] != first["secret"]
    assert rotated.json["previous_secret_expires_at"]
    receiver.secrets = [rotated.json["secret"]]
    assert admin_api.post(f"/webhook-endpoints/{first['id']}/test", {}).status_code == 200
    relay.drain()
    tests = [r for r in receiver.accepted if r.event["type"] == "webhook.test"]
    assert len(tests) == 1 and tests[0].event["subject"] == f"endpoint:{first['id']}"
    got = tests[0]
    assert len(got.headers["webhook-signature"].split(" ")) == 2
    for secret in (rotated.json["secret"], first["secret"]):
        Webhook(secret).verify(got.body, got.headers)  # both verify during the rotation
    assert other["id"] != first["id"]


def test_pause_resume_conflicts(admin_api: Api) -> None:
    created = _create(admin_api, "https://oms.example/hooks", ["*"])
    path = f"/webhook-endpoints/{created['id']}"
    assert admin_api.post(path + "/pause", {}).json["status"] == "paused"
    assert admin_api.post(path + "/pause", {}).status_code == 409
    assert admin_api.post(path + "/resume", {}).json["status"] == "active"
    assert admin_api.post("/webhook-endpoints/we_nope/resume", {}).status_code == 404


def test_feed_pages_with_cursor_and_types(api: Api, spine: Spine) -> None:
    emitted = []
    for i in range(5):
        emitted += emit(spine, ("order.picked", f"order:F-{i}", {}), ("sku.moved", "sku:M", {}))
    first = api.get("/events?limit=3&types=order.*").json
    assert [e["type"] for e in first["data"]] == ["order.picked"] * 3 and first["has_more"]
    rest = api.get(f"/events?after={first['next_cursor']}&types=order.*").json
    assert not rest["has_more"] and len(rest["data"]) == 2
    ids = [e["id"] for e in first["data"] + rest["data"]]
    assert ids == [e["id"] for e in emitted if e["type"] == "order.picked"]
    assert rest["data"][-1] == [e for e in emitted if e["id"] == ids[-1]][0]
    empty = api.get(f"/events?after={rest['next_cursor']}&types=order.picked").json
    assert empty["data"] == [] and empty["next_cursor"] == rest["next_cursor"]
    assert api.get("/events?after=garbage!").status_code == 400
    assert api.get("/events?types=BAD TYPE").status_code in (400, 422)
    assert api.get("/events?limit=0").status_code == 422
