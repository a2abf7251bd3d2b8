"""Holding the stock of a location, and releasing it: a held location's stock is not
allocated (server/inventory/stock.py `allocatable_sql`) and shows `held` in GET
/api/v1/stock until a supervisor releases it with a reason or moves it to quarantine.

Each hold opens a `stock_held` exception for supervisors; releasing resolves it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from server.coldchain.events import InventoryHeld, InventoryReleased
from server.db import for_update
from server.errors import Conflict, InvalidInput, NotFound, field_error
from server.inventory.events import InventoryAdjusted
from server.inventory.stock import locked_row, stock_view
from server.models import Location, Stock, utcnow
from server.models.coldchain import StockHold
from server.spine import Handlers, Unit
from server.supervision.exceptions import raise_exception, resolve_open

HANDLERS = Handlers()
STOCK_HELD = "stock_held"


def _stock(location: Location) -> list[dict[str, Any]]:
    rows = Stock.select().where(Stock.location == location, Stock.on_hand > 0).order_by(Stock.id)
    return [
        {"sku": r.product.sku, "lot": r.lot or None, "on_hand": r.on_hand, "reserved": r.reserved}
        for r in rows
    ]


def active_hold(location: Location) -> StockHold | None:
    query = StockHold.select().where(
        StockHold.location == location, StockHold.released_at.is_null()
    )
    return for_update(query).first()


def hold(location: Location, reason: str, exception_id: str | None, unit: Unit) -> bool:
    """Hold the location's stock (once: a held location stays held); True if newly held."""
    if active_hold(location) is not None:
        return False
    StockHold.create(
        location=location, reason=reason[:500], exception_id=exception_id, held_by=str(unit.actor)
    )
    stock = _stock(location)
    unit.record(InventoryHeld(location.code, reason, stock, exception_id))
    units = sum(s["on_hand"] for s in stock)
    raise_exception(
        unit,
        kind=STOCK_HELD,
        subject=f"location:{location.code}",
        message=f"Stock at {location.code} is held ({units} units): {reason}. "
        "Release it or move it to quarantine.",
        data={"location": location.code, "stock": stock, "exception": exception_id},
    )
    return True


def _location(code: str) -> Location:
    found = Location.get_or_none(Location.code == code)
    if found is None:
        raise NotFound(f"no location {code}")
    return found


def _release(held: StockHold, reason: str, moved_to: str | None, unit: Unit) -> dict[str, Any]:
    held.released_at, held.released_by, held.release_reason = utcnow(), str(unit.actor), reason
    held.save()
    location = held.location
    event = InventoryReleased(location.code, reason, _stock(location), held.exception_id, moved_to)
    unit.record(event)
    resolve_open(
        unit,
        kind=STOCK_HELD,
        subject=f"location:{location.code}",
        resolution=f"moved to {moved_to}: {reason}" if moved_to else f"released: {reason}",
    )
    return event.data


@dataclass(frozen=True)
class HoldStock:
    location: str
    reason: str


@HANDLERS.handles(HoldStock)
def hold_stock(cmd: HoldStock, unit: Unit) -> dict[str, Any]:
    location = _location(cmd.location)
    if not hold(location, cmd.reason or "held by a supervisor", None, unit):
        raise Conflict(f"the stock at {cmd.location} is already held")
    return {"location": location.code, "held": True}


@dataclass(frozen=True)
class ReleaseStock:
    location: str
    reason: str


@HANDLERS.handles(ReleaseStock)
def release_stock(cmd: ReleaseStock, unit: Unit) -> dict[str, Any]:
    if not cmd.reason.strip():
        raise InvalidInput("say why", [field_error("reason", "why the stock may be sold")])
    held = active_hold(_location(cmd.location))
    if held is None:
        raise Conflict(f"the stock at {cmd.location} is not held")
    return _release(held, cmd.reason.strip(), None, unit)


@dataclass(frozen=True)
class QuarantineStock:
    location: str
    to: str
    reason: str = "temperature excursion"


@HANDLERS.handles(QuarantineStock)
def quarantine_stock(cmd: QuarantineStock, unit: Unit) -> dict[str, Any]:
    """Move every unit of the held location to a quarantine location, then release the
    hold (nothing is left there to hold). Units reserved for orders are refused: those
    orders must be released from them first (their picks would find the shelf empty)."""
    source = _location(cmd.location)
    held = active_hold(source)
    if held is None:
        raise Conflict(f"the stock at {cmd.location} is not held")
    target = _location(cmd.to)
    if target.kind != "quarantine":
        raise InvalidInput(
            "not a quarantine location", [field_error("to", f"{cmd.to} is a {target.kind}")]
        )
    rows = list(for_update(Stock.select().where(Stock.location == source, Stock.on_hand > 0)))
    reserved = sum(r.reserved for r in rows)
    if reserved:
        raise Conflict(
            f"{reserved} units at {cmd.location} are reserved for orders: cancel or short "
            "those picks first, or release the stock"
        )
    reason = f"quarantine after hold: {cmd.reason}"
    for row in rows:
        qty = row.on_hand
        dest = locked_row(row.product, target, row.lot, row.expiry)
        row.on_hand, row.updated_at = 0, utcnow()
        row.save()
        unit.record(InventoryAdjusted(stock_view(row), -qty, reason))
        dest.on_hand, dest.updated_at = dest.on_hand + qty, utcnow()
        dest.save()
        unit.record(InventoryAdjusted(stock_view(dest), qty, reason))
    return _release(held, cmd.reason, target.code, unit)
