"""POST /returns: an RMA against a known order."""

from __future__ import annotations

from typing import Any

from tests.fixtures.app import Api


def rma(rma_id: str = "RMA-1", order: str = "WEB-1", **lines: int) -> dict[str, Any]:
    lines = lines or {"MUG": 1}
    return {
        "rma_id": rma_id,
        "order_external_id": order,
        "lines": [{"sku": sku, "qty": q, "reason": "damaged"} for sku, q in lines.items()],
    }


def placed(site: Api) -> Api:
    body = {
        "external_id": "WEB-1",
        "channel": "web",
        "lines": [
            {"line_id": "1", "sku": "MUG", "qty": 2},
            {"line_id": "2", "sku": "PEN", "qty": 1},
        ],
    }
    assert site.post("/orders", body, headers={"Idempotency-Key": "o1"}).status_code == 201
    return site


def test_rma_is_registered_and_readable(site: Api) -> None:
    api = placed(site)
    response = api.post("/returns", rma(MUG=1, PEN=1))
    assert response.status_code == 201
    assert response.json["status"] == "registered"
    assert [(ln["sku"], ln["qty"], ln["received"]) for ln in response.json["lines"]] == [
        ("MUG", 1, 0),
        ("PEN", 1, 0),
    ]
    read = api.get("/returns/RMA-1").json
    assert {k: read[k] for k in response.json} == response.json
    assert read["units"] == [] and read["progress"]["expected"] == 2  # nothing received yet
    assert read["missing"] == [{"sku": "MUG", "qty": 1}, {"sku": "PEN", "qty": 1}]
    assert api.get("/returns/RMA-2").status_code == 404


def test_unknown_order_or_sku_is_422(site: Api) -> None:
    api = placed(site)
    unknown_order = api.post("/returns", rma(order="NOPE"))
    assert unknown_order.status_code == 422
    assert unknown_order.json["errors"][0]["field"] == "order_external_id"
    not_ordered = api.post("/returns", rma(TEA=1))
    assert not_ordered.status_code == 422
    assert not_ordered.json["errors"][0]["field"] == "lines[0].sku"
    assert api.get("/returns/RMA-1").status_code == 404


def test_duplicate_rma_is_409(site: Api) -> None:
    api = placed(site)
    assert api.post("/returns", rma()).status_code == 201
    again = api.post("/returns", rma())
    assert again.status_code == 409
    assert again.content_type == "application/problem+json"


def test_bad_lines_name_the_field(site: Api) -> None:
    api = placed(site)
    body = rma()
    body["lines"][0]["qty"] = -1
    response = api.post("/returns", body)
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "lines[0].qty"
