"""The state changes of the return zone, each inside the input's transaction with its
events: an unannounced return opened, a unit received, graded and put away, the RMA
closed (docs/returns.md). Operator mistakes come back as a message (str), never raise."""

from __future__ import annotations

import datetime as dt
from typing import Any

import peewee

from devices.barcode import Scan
from server import rawsql
from server.ids import new_id
from server.inventory.events import InventoryAdjusted
from server.inventory.stock import STOCK_ARRIVED, is_allocatable, locked_row, stock_view
from server.models import (
    Location,
    Order,
    OrderLine,
    Product,
    ReturnUnit,
    Rma,
    RmaLine,
    Stock,
    utcnow,
)
from server.returns import rules
from server.returns.events import (
    ReturnOpened,
    ReturnReceived,
    ReturnUnitGraded,
    ReturnUnitPutAway,
    ReturnUnitReceived,
)
from server.returns.finding import shipped
from server.returns.settings import ReturnsSettings
from server.returns.views import expected_left, lines_of, received_view, rma_view, unit_view
from server.spine import Unit
from server.supervision.exceptions import raise_exception, resolve_open

SERIAL_MISMATCH = "return_serial_mismatch"
UNANNOUNCED = "return_unannounced"
DWELL = "return_dwell"


def locked(rma_id: int) -> Rma:
    rma = rawsql.select_one(Rma, '"id" = ?', [rma_id], lock=True)
    assert rma is not None
    return rma


def open_unannounced(order: Order, unit: Unit) -> Rma:
    """A parcel without an RMA, opened against the order it came from: the OMS hears
    `return.opened` and later `return.received` as for any RMA."""
    rma = Rma.create(rma_id=new_id("rma"), order=order, status="receiving", unannounced=True)
    unit.record(ReturnOpened(rma_view(rma, with_units=False)))
    return rma


def put_aside(order: Order | None, text: str, station: str | None, unit: Unit) -> None:
    """A parcel nobody announced and the floor may not open: a supervisor decides."""
    where = f" at {station}" if station else ""
    about = f"order {order.external_id}" if order is not None else text
    raise_exception(
        unit,
        kind=UNANNOUNCED,
        subject=f"order:{order.external_id}" if order is not None else f"scan:{text}",
        message=f"A returned parcel for {about} has no RMA: it was put aside{where}",
        data={"order": order.external_id if order is not None else None, "scan": text,
              "station": station},
    )  # fmt: skip


def receive(
    rma_id: int, product: Product, scan: Scan, station: str | None, badge: str, unit: Unit
) -> ReturnUnit | str:
    """One unit scanned: checked against the RMA and what was shipped on the order (the
    unit's `rma` is the RMA as locked for it)."""
    rma = locked(rma_id)
    if rma.status == "closed":
        return f"RMA {rma.rma_id} is closed"
    sent = shipped(rma.order_id, product.id)
    serial = scan.serial
    if serial and _serial_taken(rma, product, serial):
        return f"{product.sku} serial {serial} was already received on this return"
    flags: list[str] = []
    line = _line_for(rma, product)
    if line is None:
        flags.append(rules.UNEXPECTED)
    if serial and sent.serials and serial not in sent.serials:
        flags.append(rules.SERIAL_NOT_SHIPPED)
    lot, expiry = _lot_and_expiry(product, scan, sent, flags)
    seq = (ReturnUnit.select(peewee.fn.MAX(ReturnUnit.seq)).where(ReturnUnit.rma == rma).scalar()
           or 0) + 1  # fmt: skip
    row = ReturnUnit.create(
        rma=rma, seq=seq, product=product, line=line, lot=lot, expiry=expiry, serial=serial,
        flags=flags, station=station, received_by=badge,
    )  # fmt: skip
    row.product = product
    if line is not None:
        RmaLine.update(received=RmaLine.received + 1).where(RmaLine.id == line.id).execute()
    if rma.status == "registered":
        rma.status = "receiving"
    rma.updated_at = utcnow()
    rawsql.update_one(Rma, rma.id, {"status": rma.status, "updated_at": rma.updated_at})
    view = unit_view(row)
    unit.record(ReturnUnitReceived(rma.rma_id, view))
    if rules.SERIAL_NOT_SHIPPED in flags:
        order = Order.get_by_id(rma.order_id)
        raise_exception(
            unit,
            kind=SERIAL_MISMATCH,
            subject=f"rma:{rma.rma_id}",
            message=(
                f"{product.sku} serial {serial} came back on RMA {rma.rma_id} but was never "
                f"shipped on order {order.external_id}: the unit goes to quarantine"
            ),
            data={"rma_id": rma.rma_id, "order": order.external_id, "unit": view},
        )
    return row


def _serial_taken(rma: Rma, product: Product, serial: str) -> bool:
    return (
        ReturnUnit.select()
        .where(ReturnUnit.rma == rma, ReturnUnit.product == product, ReturnUnit.serial == serial)
        .exists()
    )


def _line_for(rma: Rma, product: Product) -> RmaLine | None:
    """The RMA line the unit counts against; for an unannounced return, a line for any
    product of the order (grown per unit). None: unexpected."""
    line = (
        RmaLine.select()
        .where(RmaLine.rma == rma, RmaLine.product == product, RmaLine.received < RmaLine.qty)
        .order_by(RmaLine.id)
        .first()
    )
    if line is not None or not rma.unannounced:
        return line
    on_order = OrderLine.select().where(
        OrderLine.order == rma.order_id, OrderLine.product == product
    )
    if not on_order.exists():
        return None
    line = RmaLine.get_or_none(RmaLine.rma == rma, RmaLine.product == product)
    if line is None:
        return RmaLine.create(rma=rma, product=product, qty=1, reason="unannounced return")
    RmaLine.update(qty=RmaLine.qty + 1).where(RmaLine.id == line.id).execute()
    return RmaLine.get_by_id(line.id)


def _lot_and_expiry(
    product: Product, scan: Scan, sent: Any, flags: list[str]
) -> tuple[str | None, dt.date | None]:
    lot, expiry = scan.lot, scan.expiry or scan.best_before
    if lot is None and len(sent.lots) == 1:
        lot = next(iter(sent.lots))  # the one lot that left on this order
    if lot is not None and sent.lots and lot not in sent.lots:
        flags.append(rules.LOT_NOT_SHIPPED)
    if lot is None and product.lot_tracked:
        flags.append(rules.LOT_UNKNOWN)
    if expiry is None and lot is not None and sent.lots.get(lot):
        expiry = dt.date.fromisoformat(sent.lots[lot])
    if expiry is None and product.expiry_tracked:
        flags.append(rules.EXPIRY_UNKNOWN)
    return lot, expiry


def graded(
    rma_id: str,
    row: ReturnUnit,
    product: Product,
    tree_id: str,
    answers: list[dict[str, str]],
    outcome: dict[str, Any],
    settings: ReturnsSettings,
    today: dt.date,
    unit: Unit,
) -> str | None:
    """The grading done: the disposition (after the rules), and the target location.
    A message (nothing changed) when there is no location to put it."""
    decided = rules.disposition(
        outcome["disposition"], row.flags, row.expiry, product.expiry_tracked, today,
        settings.sell_by_margin_days, settings.expired_disposition,
        settings.short_dated_disposition,
    )  # fmt: skip
    zones: dict[str, str] = {str(k): v for k, v in settings.zones.items()}
    zone = None if decided.disposition == "restock" else zones[decided.disposition]
    places = places_for(product, zone)
    code = rules.target(decided.disposition, places, zone)
    if code is None:
        where = "a pick or bulk location" if zone is None else f"a location of kind {zone}"
        return f"There is no {where} for {decided.disposition}: ask an admin to add one"
    row.tree, row.answers, row.grade = tree_id, answers, outcome["grade"]
    row.disposition, row.status, row.note = decided.disposition, "graded", decided.why
    place = next(p for p in places if p.code == code)
    row.target = Location(id=place.id, code=place.code, kind=place.kind,
                          walk_sequence=place.walk_sequence)  # fmt: skip
    rawsql.update_one(ReturnUnit, row.id, {
        "tree": row.tree, "answers": row.answers, "grade": row.grade,
        "disposition": row.disposition, "status": row.status, "note": row.note,
        "target": place.id,
    })  # fmt: skip
    row.product = product
    unit.record(ReturnUnitGraded(rma_id, unit_view(row, {place.id: place.code})))
    return None


def places_for(product: Product, zone_kind: str | None) -> list[rules.Place]:
    """The candidate locations: for restock the pick and bulk locations (with what they hold
    of the product), else the locations of the zone kind."""
    if zone_kind is not None:
        rows = Location.select().where(Location.kind == zone_kind)
        return [rules.Place(r.code, r.kind, r.walk_sequence, id=r.id) for r in rows]
    holding = peewee.fn.COALESCE(peewee.fn.SUM(Stock.on_hand), 0)
    held = (
        Location.select(Location, holding.alias("holding"))
        .join(
            Stock,
            peewee.JOIN.LEFT_OUTER,
            on=(Stock.location == Location.id) & (Stock.product == product.id),
        )  # fmt: skip
        .where(Location.kind.in_(("pick", "bulk")))
        .group_by(Location.id)
    )
    return [rules.Place(r.code, r.kind, r.walk_sequence, int(r.holding), r.id) for r in held]


def put_away(
    row: ReturnUnit, product: Product, target: Location, location: Location, unit: Unit
) -> Rma:
    """The unit lands at `location` with its lot and expiry, in this transaction; stock
    that may be sold serves the orders waiting for it (hook STOCK_ARRIVED). The RMA, as
    locked for it."""
    rma = locked(row.rma_id)
    stock = locked_row(product, location, row.lot or "", row.expiry)
    stock.on_hand += 1
    if row.expiry and stock.expiry is None:
        stock.expiry = row.expiry
    stock.updated_at = utcnow()
    rawsql.update_one(Stock, stock.id, {"on_hand": stock.on_hand, "expiry": stock.expiry,
                                        "updated_at": stock.updated_at})  # fmt: skip
    stock.product, stock.location = product, location
    reason = f"return {rma.rma_id}: {row.disposition} (grade {row.grade})"
    unit.record(InventoryAdjusted(stock_view(stock), 1, reason))
    row.location, row.status, row.put_away_at = location, "put_away", utcnow()
    rawsql.update_one(ReturnUnit, row.id, {"location": location.id, "status": row.status,
                                           "put_away_at": row.put_away_at})  # fmt: skip
    row.product = product
    codes = {target.id: target.code, location.id: location.code}
    unit.record(ReturnUnitPutAway(rma.rma_id, unit_view(row, codes)))
    if _dwell_over(rma):
        resolve_open(unit, kind=DWELL, subject=f"rma:{rma.rma_id}",
                     resolution="every unit received was put away")  # fmt: skip
    if is_allocatable(stock) and unit.env is not None:
        unit.env.run_hooks(STOCK_ARRIVED, [product.id], unit)
    return rma


def _dwell_over(rma: Rma) -> bool:
    """Were units of the RMA flagged for dwelling, and are none waiting any more?"""
    flagged = ReturnUnit.select(ReturnUnit.status).where(
        ReturnUnit.rma == rma,
        (ReturnUnit.status != "put_away") | (ReturnUnit.dwell_raised == True),  # noqa: E712
    )
    statuses = [u.status for u in flagged]
    return bool(statuses) and all(s == "put_away" for s in statuses)


def waiting(rma: Rma) -> list[ReturnUnit]:
    """The RMA's units received but not yet put away."""
    return list(ReturnUnit.select().where(ReturnUnit.rma == rma, ReturnUnit.status != "put_away"))


def left(rma: Rma) -> dict[str, int]:
    return expected_left(lines_of(rma))


def close(rma: Rma, by: str, unit: Unit, with_missing: bool) -> str | None:
    """Close the RMA: `return.received` with every unit, the unexpected and the missing
    ones. Refused while units wait to be put away, or (without `with_missing`) while units
    are still expected."""
    rma = locked(rma.id)
    if rma.status == "closed":
        return f"RMA {rma.rma_id} is already closed"
    if waiting(rma):
        return "Put away the units received first"
    missing = left(rma)
    if missing and not with_missing:
        return f"{sum(missing.values())} units are still expected: close with missing instead"
    rma.status, rma.closed_at, rma.closed_by = "closed", utcnow(), by
    rma.missing = [{"sku": sku, "qty": qty} for sku, qty in sorted(missing.items())]
    rma.updated_at = utcnow()
    rma.save()
    unit.record(ReturnReceived(received_view(rma)))
    return None
