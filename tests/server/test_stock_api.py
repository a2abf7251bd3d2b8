"""Stock adjustments (with reason, never negative, never below reserved) and GET /stock."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fixtures.app import Api


def adjust(api: Api, *items: dict[str, Any]) -> Any:
    return api.post("/stock/adjustments", {"adjustments": list(items)})


def item(sku: str = "MUG", location: str = "A-01-01-1", delta: int = 1, **extra: Any) -> Any:
    return {"sku": sku, "location": location, "delta": delta, "reason": "count", **extra}


def stock(api: Api, query: str = "") -> list[dict[str, Any]]:
    return api.get(f"/stock{query}").json["data"]


def order(api: Api, external_id: str, sku: str, qty: int) -> Any:
    body = {
        "external_id": external_id,
        "channel": "web",
        "lines": [{"line_id": "1", "sku": sku, "qty": qty}],
    }
    return api.post("/orders", body, headers={"Idempotency-Key": external_id})


def test_adjustment_returns_the_row_and_records_the_reason(site: Api) -> None:
    response = adjust(site, item(delta=-3))
    assert response.status_code == 200
    row = response.json["data"][0]
    assert (row["on_hand"], row["delta"], row["reason"]) == (7, -3, "count")


def test_stock_never_goes_negative_and_nothing_is_half_applied(site: Api) -> None:
    response = adjust(site, item("PEN", "A-01-02-1", -1), item(delta=-11))
    assert response.status_code == 422
    assert [e["field"] for e in response.json["errors"]] == ["adjustments[1].delta"]
    assert {r["sku"]: r["on_hand"] for r in stock(site, "?location=A-01-02-1")}["PEN"] == 50


def test_stock_never_goes_below_what_is_reserved(site: Api) -> None:
    assert order(site, "W-1", "MUG", 8).json["status"] == "accepted"
    response = adjust(site, item(delta=-3))
    assert response.status_code == 422
    assert "reserved" in response.json["errors"][0]["message"]
    assert adjust(site, item(delta=-2)).status_code == 200


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"expiry": "2031-01-01"}, "lot-tracked"),
        ({"lot": "L9"}, "expiry-tracked"),
    ],
)
def test_tracked_products_need_lot_and_expiry(
    site: Api, extra: dict[str, Any], message: str
) -> None:
    response = adjust(site, item("TEA", "A-01-01-1", 3, **extra))
    assert response.status_code == 422
    assert message in response.json["errors"][0]["message"]
    ok = adjust(site, item("TEA", "A-01-01-1", 3, lot="L9", expiry="2031-01-01"))
    assert ok.status_code == 200
    assert ok.json["data"][0]["expiry"] == "2031-01-01"


def test_unknown_sku_location_and_missing_reason(site: Api) -> None:
    response = adjust(site, item("NOPE", "NOWHERE"))
    assert {e["field"] for e in response.json["errors"]} == {
        "adjustments[0].sku",
        "adjustments[0].location",
    }
    no_reason = {"sku": "MUG", "location": "A-01-01-1", "delta": 1}
    response = site.post("/stock/adjustments", {"adjustments": [no_reason]})
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "adjustments[0].reason"


def test_stock_cannot_overflow(site: Api) -> None:
    assert adjust(site, item(delta=1_000_000)).status_code == 200
    many = [item(delta=1_000_000)] * 1000
    response = adjust(site, *many)
    assert response.status_code == 422
    assert stock(site, "?sku=MUG")[0]["on_hand"] == 1_000_010


def test_filters(site: Api) -> None:
    assert {(r["sku"], r["lot"]) for r in stock(site, "?sku=TEA")} == {("TEA", "L1"), ("TEA", "L2")}
    assert {r["sku"] for r in stock(site, "?location=A-01-02-1")} == {"PEN", "TEA"}
    assert [r["lot"] for r in stock(site, "?sku=TEA&location=A-02-01-1")] == ["L2"]
    assert stock(site, "?sku=NOPE") == []


def test_cursor_pagination_visits_every_row_once(site: Api) -> None:
    seen, cursor, pages = [], "", 0
    while True:
        page = site.get(f"/stock?limit=1{'&cursor=' + cursor if cursor else ''}").json
        seen += [(r["sku"], r["location"], r["lot"]) for r in page["data"]]
        pages += 1
        if not page["has_more"]:
            assert page["next_cursor"] is None
            break
        cursor = page["next_cursor"]
    assert pages == 4 and len(set(seen)) == 4


@pytest.mark.parametrize(
    "query", ["?cursor=%%%", "?cursor=bm9wZQ", "?limit=0", "?limit=x", "?colour=red"]
)
def test_bad_queries_are_problems(site: Api, query: str) -> None:
    response = site.get(f"/stock{query}")
    assert response.status_code in (400, 422)
    assert response.content_type == "application/problem+json"
