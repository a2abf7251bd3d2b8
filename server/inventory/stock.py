"""Reading and changing stock rows inside a command's transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from server.db import for_update
from server.inventory.allocation import Slot
from server.models import Location, Product, Stock, utcnow

ALLOCATABLE_KINDS = ("pick", "bulk")


def stock_view(row: Stock) -> dict[str, Any]:
    return {
        "sku": row.product.sku,
        "location": row.location.code,
        "lot": row.lot or None,
        "expiry": row.expiry.isoformat() if row.expiry else None,
        "on_hand": row.on_hand,
        "reserved": row.reserved,
        "available": row.on_hand - row.reserved,
    }


def locked_slots(product_ids: list[int]) -> dict[int, list[Slot]]:
    """Allocatable stock of these products, locked for this transaction, by product id."""
    query = (
        Stock.select(Stock, Location.walk_sequence, Location.kind)
        .join(Location)
        .where(
            Stock.product.in_(product_ids),
            Location.kind.in_(ALLOCATABLE_KINDS),
            Stock.on_hand > Stock.reserved,
        )
        .order_by(Stock.id)
    )
    slots: dict[int, list[Slot]] = {pid: [] for pid in product_ids}
    for row in for_update(query):
        slots[row.product_id].append(
            Slot(
                stock_id=row.id,
                available=row.on_hand - row.reserved,
                expiry=row.expiry,
                walk_sequence=row.location.walk_sequence,
                is_pick_face=row.location.kind == "pick",
            )
        )
    return slots


def reserve(stock_id: int, qty: int) -> None:
    Stock.update(reserved=Stock.reserved + qty, updated_at=utcnow()).where(
        Stock.id == stock_id
    ).execute()


def release(stock_id: int, qty: int) -> None:
    Stock.update(reserved=Stock.reserved - qty, updated_at=utcnow()).where(
        Stock.id == stock_id
    ).execute()


def locked_row(product: Product, location: Location, lot: str, expiry: dt.date | None) -> Stock:
    """The stock row of (product, location, lot), created empty if missing, locked."""
    query = Stock.select().where(
        Stock.product == product, Stock.location == location, Stock.lot == lot
    )
    row = for_update(query).first()
    if row is None:
        row = Stock.create(product=product, location=location, lot=lot, expiry=expiry)
    return row
