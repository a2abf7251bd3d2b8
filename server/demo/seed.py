"""Seeding the demo site through the spine, so the demo has the same events as real use:
the site (locations, products, stock, orders), then each area's own seed (Area.seed)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from server.api.schemas import AdjustmentBatch, LocationBatch, OrderIn, ProductBatch
from server.areas import AREAS
from server.catalog.handlers import UpsertLocations, UpsertProducts
from server.demo import site
from server.inventory.handlers import AdjustStock
from server.models import Product
from server.orders.handlers import AcceptOrder
from server.spine import Actor, Spine

log = logging.getLogger(__name__)
DEMO = Actor("system", "demo-seed")


def is_seeded() -> bool:
    return Product.select().exists()


def seed(spine: Spine, now: dt.datetime | None = None) -> list[str]:
    """Seed an empty database; return lines worth printing (badges, PINs...)."""
    now = now or dt.datetime.now(dt.UTC)
    locations = site.locations()
    products = site.products()
    _run(spine, UpsertLocations, LocationBatch, "locations", locations)
    _run(spine, UpsertProducts, ProductBatch, "products", products)
    _run(
        spine,
        AdjustStock,
        AdjustmentBatch,
        "adjustments",
        site.stock(products, locations, now.date()),
    )
    for order in site.orders(products, now):
        data = _parse_order(order)
        data["ship_by"] = data["ship_by"].astimezone(dt.UTC).replace(tzinfo=None)
        spine.execute(AcceptOrder(data), DEMO)
    lines = []
    for area in AREAS:
        if area.seed is not None:
            lines += area.seed(spine)
    return lines


def _parse_order(order: dict[str, Any]) -> dict[str, Any]:
    return OrderIn.model_validate(order, strict=False).model_dump()


def _run(spine: Spine, command: Any, schema: Any, key: str, items: list[dict[str, Any]]) -> None:
    """Validate as the API would, then run the command."""
    for start in range(0, len(items), 1000):
        batch = schema.model_validate({key: items[start : start + 1000]}, strict=False)
        spine.execute(command([i.model_dump() for i in getattr(batch, key)]), DEMO)
