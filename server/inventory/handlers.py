"""Stock adjustments from the OMS: all or nothing, never negative, one event each."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from server.errors import InvalidInput, field_error
from server.inventory.events import InventoryAdjusted
from server.inventory.stock import STOCK_ARRIVED, is_allocatable, locked_row, stock_view
from server.models import Location, Product, Stock, utcnow
from server.spine import Handlers, Unit

HANDLERS = Handlers()

MAX_ON_HAND = 1_000_000_000  # fits every engine's integer column with room to spare


@dataclass(frozen=True)
class AdjustStock:
    adjustments: list[dict[str, Any]]


@HANDLERS.handles(AdjustStock)
def adjust_stock(cmd: AdjustStock, unit: Unit) -> dict[str, Any]:
    products, locations = _referenced(cmd.adjustments)
    results, errors = [], []
    arrived: set[int] = set()
    for i, adj in enumerate(cmd.adjustments):
        product, location = products[adj["sku"]], locations[adj["location"]]
        problem = _tracking_problem(product, adj)
        if problem:
            errors.append(field_error(f"adjustments[{i}]", problem))
            continue
        row = locked_row(product, location, adj.get("lot") or "", adj.get("expiry"))
        new_on_hand = row.on_hand + adj["delta"]
        if new_on_hand > MAX_ON_HAND:
            errors.append(field_error(f"adjustments[{i}].delta", _overflow(row)))
            continue
        if new_on_hand < row.reserved:
            errors.append(field_error(f"adjustments[{i}].delta", _shortfall(row, adj["delta"])))
            continue
        _apply(row, adj, new_on_hand)
        event = InventoryAdjusted(stock_view(row), adj["delta"], adj["reason"])
        unit.record(event)
        results.append(event.data)
        if adj["delta"] > 0 and is_allocatable(row):
            arrived.add(product.id)
    if errors:
        raise InvalidInput("some adjustments cannot be applied; none was", errors)
    if arrived and unit.env is not None:
        unit.env.run_hooks(STOCK_ARRIVED, sorted(arrived), unit)
    return {"data": results}


def _apply(row: Stock, adj: dict[str, Any], new_on_hand: int) -> None:
    row.on_hand = new_on_hand
    if adj.get("expiry") and row.expiry is None:
        row.expiry = adj["expiry"]
    row.updated_at = utcnow()
    row.save()


def _overflow(row: Stock) -> str:
    return f"{row.on_hand} on hand; one stock row holds at most {MAX_ON_HAND}"


def _shortfall(row: Stock, delta: int) -> str:
    if row.on_hand + delta < 0:
        return f"only {row.on_hand} on hand; stock cannot go negative"
    return (
        f"{row.on_hand} on hand of which {row.reserved} reserved for orders; cannot remove {-delta}"
    )


def _tracking_problem(product: Product, adj: dict[str, Any]) -> str | None:
    if product.lot_tracked and not adj.get("lot"):
        return f"{product.sku} is lot-tracked: give the lot"
    if product.expiry_tracked and adj["delta"] > 0 and not adj.get("expiry"):
        return f"{product.sku} is expiry-tracked: give the expiry"
    return None


def _referenced(
    adjustments: list[dict[str, Any]],
) -> tuple[dict[str, Product], dict[str, Location]]:
    skus = {a["sku"] for a in adjustments}
    codes = {a["location"] for a in adjustments}
    products = {p.sku: p for p in Product.select().where(Product.sku.in_(skus))}
    locations = {loc.code: loc for loc in Location.select().where(Location.code.in_(codes))}
    errors = []
    for i, adj in enumerate(adjustments):
        if adj["sku"] not in products:
            errors.append(field_error(f"adjustments[{i}].sku", f"unknown SKU {adj['sku']}"))
        if adj["location"] not in locations:
            errors.append(
                field_error(f"adjustments[{i}].location", f"unknown location {adj['location']}")
            )
    if errors:
        raise InvalidInput("some adjustments refer to unknown SKUs or locations", errors)
    return products, locations
