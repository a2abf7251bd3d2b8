"""Reading and changing stock rows inside a command's transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from server import rawsql
from server.db import for_update, is_postgres
from server.inventory.allocation import Slot
from server.models import Location, Product, Stock, utcnow

# Sellable stock: only these location kinds serve orders. Returned units graded anything
# but `restock` wait in quarantine, refurbish, scrap or vendor locations: stock on hand,
# listed with their kind, never allocated (docs/returns.md, "Dispositions and zones").
ALLOCATABLE_KINDS = ("pick", "bulk")
# Hook point (server/area.py `hooks`), called as fn(product_ids, unit) in the transaction
# that put allocatable stock of those products on hand (an adjustment, a restocked return):
# orders waiting for it are served (server/orders/backorders.py).
STOCK_ARRIVED = "inventory.stock_arrived"


def allocatable_sql(stock: str = "s", location: str = "l") -> str:
    """The one rule of which stock may be allocated, as SQL over a stock row (alias `stock`)
    joined to its location (alias `location`). Extend it here, nowhere else."""
    kinds = ", ".join(f"'{kind}'" for kind in ALLOCATABLE_KINDS)
    # not held: a location held after a temperature excursion (server/coldchain/holds.py)
    not_held = (
        'NOT EXISTS (SELECT 1 FROM "stock_hold" h '
        f'WHERE h."location_id" = {location}."id" AND h."released_at" IS NULL)'
    )
    return f'{location}."kind" IN ({kinds}) AND {not_held}'


_HELD_SQL = 'SELECT 1 FROM "stock_hold" WHERE "location_id" = ? AND "released_at" IS NULL LIMIT 1'


def is_held(location_id: int) -> bool:
    """Whether the location's stock is held (hand-written: every location scan asks)."""
    return rawsql.execute(_HELD_SQL, [location_id]).fetchone() is not None


def is_allocatable(row: Stock) -> bool:
    """`allocatable_sql` for one loaded row (its location joined), for views and checks."""
    return row.location.kind in ALLOCATABLE_KINDS and not is_held(row.location_id)


def stock_view(row: Stock) -> dict[str, Any]:
    return {
        "sku": row.product.sku,
        "location": row.location.code,
        "location_kind": row.location.kind,
        "allocatable": is_allocatable(row),
        "held": is_held(row.location_id),
        "lot": row.lot or None,
        "expiry": row.expiry.isoformat() if row.expiry else None,
        "on_hand": row.on_hand,
        "reserved": row.reserved,
        "available": row.on_hand - row.reserved,
    }


_SLOTS_SQL = (
    'SELECT s."id", s."product_id", s."on_hand" - s."reserved", s."expiry", '
    'l."walk_sequence", l."kind" FROM "stock" s JOIN "location" l ON l."id" = s."location_id" '
    'WHERE s."product_id" IN ({ids}) AND {allocatable} '
    'AND s."on_hand" > s."reserved" ORDER BY s."id"'
)


def locked_slots(product_ids: list[int]) -> dict[int, list[Slot]]:
    """Allocatable stock of these products, locked for this transaction, by product id.

    Hand-written SQL: this runs for every order (server/rawsql.py says why).
    """
    slots: dict[int, list[Slot]] = {pid: [] for pid in product_ids}
    if not product_ids:
        return slots
    sql = _SLOTS_SQL.format(
        ids=rawsql.placeholders(len(product_ids)), allocatable=allocatable_sql()
    )
    if is_postgres():
        # NO KEY UPDATE: allocating changes `reserved` only. FOR UPDATE also waited for the
        # KEY SHARE lock of any insert referencing the row (a pick task of a batch being
        # claimed), which locks its rows in walk order, not id order: a deadlock.
        sql += " FOR NO KEY UPDATE OF s"
    for stock_id, product_id, available, expiry, walk, kind in rawsql.execute(sql, product_ids):
        slots[product_id].append(
            Slot(
                stock_id=stock_id,
                available=available,
                expiry=Stock.expiry.python_value(expiry),
                walk_sequence=walk,
                is_pick_face=kind == "pick",
            )
        )
    return slots


def reserve(stock_id: int, qty: int) -> None:
    reserve_many({stock_id: qty})


def reserve_many(quantities: dict[int, int]) -> None:
    """Reserve on several stock rows in one statement (the order hot path)."""
    if not quantities:
        return
    cases = " ".join("WHEN ? THEN ?" for _ in quantities)
    params: list[Any] = [v for pair in quantities.items() for v in pair]
    params.append(Stock.updated_at.db_value(utcnow()))
    params += list(quantities)
    rawsql.execute(
        f'UPDATE "stock" SET "reserved" = "reserved" + CASE "id" {cases} ELSE 0 END, '
        f'"updated_at" = ? WHERE "id" IN ({rawsql.placeholders(len(quantities))})',
        params,
    )


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
