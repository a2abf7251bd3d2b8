"""Orders through the OMS API: idempotency, allocation, cancellation."""

from __future__ import annotations

from typing import Any

from tests.fixtures.app import Api


def order(external_id: str = "WEB-1", **lines: int) -> dict[str, Any]:
    lines = lines or {"MUG": 2}
    return {
        "external_id": external_id,
        "channel": "web",
        "priority": 3,
        "ship_by": "2030-01-01T12:00:00Z",
        "lines": [
            {"line_id": str(i), "sku": sku, "qty": q} for i, (sku, q) in enumerate(lines.items(), 1)
        ],
    }


def post(api: Api, body: dict[str, Any], key: str = "k-1") -> Any:
    return api.post("/orders", body, headers={"Idempotency-Key": key})


def test_order_is_accepted_and_allocated(site: Api) -> None:
    response = post(site, order(MUG=2, TEA=6))
    assert response.status_code == 201, response.json
    body = response.json
    assert body["status"] == "accepted"
    assert [(ln["sku"], ln["allocated"]) for ln in body["lines"]] == [("MUG", 2), ("TEA", 6)]
    stock = site.get("/stock?sku=TEA").json["data"]
    reserved = {row["lot"]: row["reserved"] for row in stock}
    assert reserved == {"L1": 5, "L2": 1}  # earliest expiry first


def test_same_key_same_body_replays_other_body_is_422(site: Api) -> None:
    first = post(site, order())
    again = post(site, order())
    assert again.status_code == 201
    assert again.json == first.json
    assert again.headers["Idempotent-Replayed"] == "true"
    other = post(site, order(MUG=3))
    assert other.status_code == 422
    assert other.content_type == "application/problem+json"


def test_missing_key_is_400_and_reused_external_id_is_409(site: Api) -> None:
    assert site.post("/orders", order()).status_code == 400
    assert post(site, order(), key="a").status_code == 201
    assert post(site, order(), key="b").status_code == 409


def test_backordered_when_short_and_cancel_releases(site: Api) -> None:
    response = post(site, order(MUG=12))
    assert response.json["status"] == "backordered"
    assert response.json["lines"][0]["missing"] == 2
    cancelled = site.post("/orders/WEB-1/cancel", {"reason": "customer"})
    assert cancelled.status_code == 200
    assert cancelled.json["status"] == "cancelled"
    assert site.get("/stock?sku=MUG").json["data"][0]["reserved"] == 0


def test_keys_and_scopes(client: Any, site: Api, admin_key: str) -> None:
    assert client.get("/api/v1/orders").status_code == 401
    assert client.get("/api/v1/orders", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert site.get("/orders").status_code == 200
