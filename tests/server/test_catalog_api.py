"""PUT /products and /locations: batch upserts, all or nothing, barcodes checked."""

from __future__ import annotations

from typing import Any

import pytest

from server.catalog.barcodes import BadBarcode, normalize
from tests.fixtures.app import Api
from tests.fixtures.site import LOCATIONS, PRODUCTS


def product(sku: str, *barcodes: str, **extra: Any) -> dict[str, Any]:
    return {
        "sku": sku,
        "name": f"Item {sku}",
        "barcodes": list(barcodes),
        "weight_g": 100,
        "dims_mm": [10, 20, 30],
        **extra,
    }


def fields(response: Any) -> set[str]:
    assert response.content_type == "application/problem+json"
    return {e["field"] for e in response.json["errors"]}


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("4006381333931", "04006381333931"),
        ("96385074", "00000096385074"),
        ("036000291452", "00036000291452"),
        ("14006381333938", "14006381333938"),
        ("PEN-INT-1", "PEN-INT-1"),
        ("12345", "12345"),
    ],
)
def test_barcodes_normalise(raw: str, normalized: str) -> None:
    assert normalize(raw) == normalized


@pytest.mark.parametrize("raw", ["4006381333932", "96385075", "036000291453", "", " "])
def test_bad_check_digits_are_refused(raw: str) -> None:
    with pytest.raises(BadBarcode):
        normalize(raw)


def test_products_are_created_then_updated(api: Api) -> None:
    first = api.put("/products", {"products": PRODUCTS})
    assert first.status_code == 200 and first.json == {"created": 3, "updated": 0}
    changed = [dict(PRODUCTS[0], name="Big mug", barcodes=["PEN-INT-2"])]
    again = api.put("/products", {"products": changed})
    assert again.json == {"created": 0, "updated": 1}
    # the mug's old barcode is free again: another product may take it
    taken = api.put("/products", {"products": [product("CUP", "4006381333931")]})
    assert taken.status_code == 200, taken.json


def test_one_bad_product_writes_nothing(api: Api) -> None:
    batch = [
        product("OK-1", "4006381333931"),
        product("BAD", "4006381333932"),
        product("OK-2"),
    ]
    batch[2]["weight_g"] = -5
    response = api.put("/products", {"products": batch})
    assert response.status_code == 422
    assert fields(response) == {"products[2].weight_g"}  # schema errors come first
    batch[2]["weight_g"] = 5
    response = api.put("/products", {"products": batch})
    assert response.status_code == 422
    assert fields(response) == {"products[1].barcodes[0]"}
    assert api.get("/stock?sku=OK-1").json["data"] == []
    assert api.put("/products", {"products": [product("OK-1", "4006381333931")]}).json == {
        "created": 1,
        "updated": 0,
    }


def test_barcode_of_another_product_is_refused(api: Api) -> None:
    assert api.put("/products", {"products": [product("A", "4006381333931")]}).status_code == 200
    response = api.put("/products", {"products": [product("B", "PEN-1", "04006381333931")]})
    assert response.status_code == 422
    assert fields(response) == {"products[0].barcodes[1]"}
    assert "belongs to A" in response.json["errors"][0]["message"]


def test_duplicates_inside_one_batch_are_refused(api: Api) -> None:
    response = api.put(
        "/products",
        {"products": [product("A", "96385074"), product("A"), product("C", "96385074")]},
    )
    assert response.status_code == 422
    assert fields(response) == {"products[1].sku", "products[2].barcodes[0]"}


def test_locations_upsert_and_refuse_bad_items(api: Api) -> None:
    assert api.put("/locations", {"locations": LOCATIONS}).json == {"created": 7, "updated": 0}
    moved = [dict(LOCATIONS[0], walk_sequence=15)]
    assert api.put("/locations", {"locations": moved}).json == {"created": 0, "updated": 1}
    bad = [
        {"code": "Z-1", "zone": "Z", "kind": "pick", "walk_sequence": 1},
        {"code": "Z-2", "zone": "Z", "kind": "attic", "walk_sequence": 2},
        {"code": "Z-3", "zone": "Z", "kind": "pick", "walk_sequence": -1},
    ]
    response = api.put("/locations", {"locations": bad})
    assert response.status_code == 422
    assert fields(response) == {"locations[1].kind", "locations[2].walk_sequence"}
    adjust = {"sku": "X", "location": "Z-1", "delta": 1, "reason": "r"}
    unknown = api.post("/stock/adjustments", {"adjustments": [adjust]})
    assert "adjustments[0].location" in fields(unknown)  # Z-1 was not written


def test_location_barcode_given_twice_is_refused(api: Api) -> None:
    twice = [
        {"code": "Z-1", "barcode": "LZ", "zone": "Z", "kind": "pick", "walk_sequence": 1},
        {"code": "Z-2", "barcode": "LZ", "zone": "Z", "kind": "pick", "walk_sequence": 2},
    ]
    response = api.put("/locations", {"locations": twice})
    assert response.status_code == 422
    assert fields(response) == {"locations[1].barcode"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"products": []}, "products"),
        ({"products": [{"sku": "A"}]}, "products[0].name"),
        ({"products": [product("A", extra=1)]}, "products[0].extra"),
        ({"products": [product("A", dims_mm=[1, 2])]}, "products[0].dims_mm[2]"),
        ({"products": [product("A b")]}, "products[0].sku"),
        ({"products": [product("A", name="x\u0000y")]}, "products[0].name"),
        ({"products": [product("A", weight_g="5")]}, "products[0].weight_g"),
        ({"products": [product("A", weight_g=10**400)]}, "products[0].weight_g"),
        ({"producs": []}, "producs"),
    ],
)
def test_field_errors_name_the_field(api: Api, body: dict[str, Any], field: str) -> None:
    response = api.put("/products", body)
    assert response.status_code == 422
    assert field in fields(response)
