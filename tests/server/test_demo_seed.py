"""The demo site meets every number issue 2 promises, seeded through the real commands."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import peewee
import pytest
from biip.gtin import Gtin

from server.areas import load_settings
from server.bootstrap import build_runtime
from server.demo import seed
from server.models import Box, CarrierRule, Location, Order, Product, ProductBarcode, Stock

pytestmark = pytest.mark.slow


@pytest.fixture
def seeded(database: peewee.Database) -> list[str]:
    spine = build_runtime(load_settings(env={}, demo=True)).spine
    lines = seed.seed(spine, now=dt.datetime(2030, 1, 1, 8, 0, tzinfo=dt.UTC))
    assert seed.is_seeded()
    return lines


def test_locations(seeded: list[str]) -> None:
    picks = list(Location.select().where(Location.kind == "pick"))
    assert len({loc.zone for loc in picks}) == 3
    assert len(picks) >= 200
    by_walk = sorted(picks, key=lambda loc: loc.walk_sequence)
    assert len({loc.walk_sequence for loc in picks}) == len(picks)
    # the walk goes aisle by aisle, then bay, then level (codes are ZONE-AISLE-BAY-LEVEL)
    aisles = [loc.code.split("-")[1] for loc in by_walk]
    assert aisles == sorted(aisles)
    kinds = {loc.kind for loc in Location.select()}
    assert kinds == {"pick", "bulk", "pack", "returns", "quarantine", "refurbish", "scrap", "vendor",
                     "dock"}  # fmt: skip


def test_products(seeded: list[str]) -> None:
    products = list(Product.select())
    assert len(products) >= 100
    assert all(p.weight_g > 0 and min(p.dims_mm) > 0 for p in products)
    gtins = [b.barcode for b in ProductBarcode.select()]
    assert len(gtins) >= len(products)
    for code in gtins:
        assert len(code) == 13 and Gtin.parse(code).value == code
    assert any(p.lot_tracked for p in products) and any(p.expiry_tracked for p in products)
    assert any(not p.lot_tracked for p in products)


def test_stock_is_spread_over_locations_and_lots(seeded: list[str]) -> None:
    rows = list(Stock.select())
    places = Counter(row.product_id for row in rows)
    assert sum(1 for n in places.values() if n > 1) >= 20
    lots = {(row.product_id, row.lot) for row in rows if row.lot}
    assert len({pid for pid, _ in lots if sum(1 for p, _ in lots if p == pid) > 1}) >= 5
    assert all(row.expiry for row in rows if row.product.expiry_tracked)
    assert all(row.reserved <= row.on_hand for row in rows)


def test_open_orders(seeded: list[str]) -> None:
    orders = list(Order.select().where(Order.status.in_(["accepted", "backordered"])))
    assert len(orders) >= 20
    assert {o.channel for o in orders} == {"web", "marketplace", "retail"}
    assert len({o.priority for o in orders}) >= 3
    assert all(o.ship_by is not None for o in orders)


def test_boxes_and_carrier_rules(seeded: list[str]) -> None:
    boxes = {b.code: b for b in Box.select().order_by(Box.id)}
    assert list(boxes) == ["S", "M", "L", "XL"] and all(b.active for b in boxes.values())
    volumes = [b.inner_l_mm * b.inner_w_mm * b.inner_h_mm for b in boxes.values()]
    assert volumes == sorted(volumes)
    # every demo product fits some box, in some rotation
    largest = sorted((boxes["XL"].inner_l_mm, boxes["XL"].inner_w_mm, boxes["XL"].inner_h_mm))
    for product in Product.select():
        assert all(a <= b for a, b in zip(sorted(product.dims_mm), largest, strict=True))
    rules = list(CarrierRule.select().order_by(CarrierRule.position))
    assert rules and rules[-1].conditions == {}  # a catch-all last
    assert any(line.startswith("Boxes: S, M, L, XL") for line in seeded)
