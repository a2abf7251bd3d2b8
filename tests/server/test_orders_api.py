"""Orders through the OMS API: idempotency, allocation, cancellation."""

from __future__ import annotations

from typing import Any

import pytest

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
    missing = site.post("/orders", order())
    assert missing.status_code == 400
    assert missing.json["errors"] == [
        {"field": "header.Idempotency-Key", "message": "this header is required"}
    ]
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


def test_get_one_order_and_unknown_is_404(site: Api) -> None:
    post(site, order(MUG=2))
    got = site.get("/orders/WEB-1")
    assert got.status_code == 200
    line = got.json["lines"][0]
    assert (line["allocated"], line["picked"], line["packed"], line["shipped"]) == (2, 0, 0, 0)
    assert got.json["ship_by"] == "2030-01-01T12:00:00.000Z"
    assert site.get("/orders/NOPE").status_code == 404
    assert site.get("/orders/" + "x" * 65).status_code == 404


def test_backordered_says_what_is_missing_and_records_the_event(site: Api) -> None:
    from server.db import database
    from server.models import Event

    response = post(site, order(MUG=12, PEN=1))
    assert response.json["status"] == "backordered"
    with database.connection_context():
        event = Event.get(Event.subject == "order:WEB-1")
    assert event.type == "order.backordered"
    assert event.data["missing"] == [{"line_id": "1", "sku": "MUG", "qty": 2}]


def test_unknown_sku_writes_nothing(site: Api) -> None:
    response = post(site, order(MUG=1, NOPE=1))
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "lines[1].sku"
    assert site.get("/orders/WEB-1").status_code == 404
    assert site.get("/stock?sku=MUG").json["data"][0]["reserved"] == 0
    # the key was not spent on a refused request
    assert post(site, order(MUG=1)).status_code == 201


def test_idempotency_key_limits(site: Api) -> None:
    assert post(site, order(), key="k" * 255).status_code == 201
    assert post(site, order("WEB-2"), key="k" * 256).status_code == 400
    assert post(site, order("WEB-2"), key="   ").status_code == 400


def test_keys_are_per_api_key(site: Api, admin_key: str) -> None:
    assert post(site, order("WEB-1"), key="same").status_code == 201
    other = Api(site.client, admin_key)
    assert post(other, order("WEB-2"), key="same").status_code == 201


def _statuses(api: Api, query: str) -> list[str]:
    return [o["external_id"] for o in api.get(f"/orders{query}").json["data"]]


def test_list_filters_by_status_and_updated_after(site: Api) -> None:
    post(site, order("WEB-1", MUG=1), key="a")
    post(site, order("WEB-2", MUG=20), key="b")
    post(site, order("WEB-3", PEN=1), key="c")
    assert _statuses(site, "?status=backordered") == ["WEB-2"]
    assert _statuses(site, "?status=accepted") == ["WEB-1", "WEB-3"]
    site.post("/orders/WEB-1/cancel", {})
    assert _statuses(site, "?status=cancelled") == ["WEB-1"]
    after = site.get("/orders/WEB-3").json["updated_at"]
    assert _statuses(site, f"?updated_after={after}") == ["WEB-1"]  # cancelled after WEB-3
    assert _statuses(site, "?updated_after=2999-01-01T00:00:00%2B00:00") == []
    bad = site.get("/orders?updated_after=2030-01-01T00:00:00")  # no timezone
    assert bad.status_code == 422 and bad.json["errors"][0]["field"] == "query.updated_after"
    assert site.get("/orders?status=lost").status_code == 422


def test_list_cursor_pagination(site: Api) -> None:
    for i in range(5):
        post(site, order(f"WEB-{i}", PEN=1), key=f"k{i}")
    seen, cursor = [], None
    while True:
        page = site.get("/orders?limit=2" + (f"&cursor={cursor}" if cursor else "")).json
        seen += [o["external_id"] for o in page["data"]]
        if not page["has_more"]:
            break
        cursor = page["next_cursor"]
    assert seen == [f"WEB-{i}" for i in range(5)]


def test_cancel_of_a_dispatched_order_is_409(site: Api) -> None:
    from server.db import database
    from server.models import Order

    post(site, order(MUG=2))
    with database.connection_context():
        Order.update(status="dispatched").where(Order.external_id == "WEB-1").execute()
    response = site.post("/orders/WEB-1/cancel", {})
    assert response.status_code == 409
    assert response.content_type == "application/problem+json"
    assert site.get("/orders/WEB-1").json["status"] == "dispatched"
    assert site.get("/stock?sku=MUG").json["data"][0]["reserved"] == 2


def test_cancel_twice_and_unknown(site: Api) -> None:
    post(site, order(MUG=2))
    assert site.post("/orders/WEB-1/cancel", {"reason": "x"}).status_code == 200
    assert site.post("/orders/WEB-1/cancel", {}).status_code == 409
    assert site.post("/orders/NOPE/cancel", {}).status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"priority": 10}, "priority"),
        ({"priority": 10**400}, "priority"),
        ({"ship_by": "9999-12-31T23:59:59-23:59"}, "ship_by"),
        ({"ship_by": "2030-01-01T00:00:00"}, "ship_by"),
        ({"lines": []}, "lines"),
        ({"lines": [{"line_id": "1", "sku": "MUG", "qty": 0}]}, "lines[0].qty"),
        ({"lines": [{"line_id": "1", "sku": "MUG", "qty": 1.5}]}, "lines[0].qty"),
        ({"ship_to": {"name": "a\u0000b"}}, "ship_to.name"),
        ({"ship_to": {"country": "nl"}}, "ship_to.country"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_orders_name_the_field(site: Api, change: dict[str, Any], field: str) -> None:
    response = post(site, order() | change)
    assert response.status_code == 422, response.json
    assert field in {e["field"] for e in response.json["errors"]}


def test_updated_after_at_the_end_of_time_is_empty(site: Api) -> None:
    post(site, order())
    assert _statuses(site, "?updated_after=9999-12-31T23:59:59.9999%2B00:00") == []


def test_cancel_needs_no_body(site: Api) -> None:
    post(site, order(MUG=2))
    response = site.client.post(
        "/api/v1/orders/WEB-1/cancel", headers={"Authorization": f"Bearer {site.key}"}
    )
    assert response.status_code == 200, response.json
    document = site.get("/openapi.json").json
    assert (
        document["paths"]["/api/v1/orders/{external_id}/cancel"]["post"]["requestBody"]["required"]
        is False
    )
