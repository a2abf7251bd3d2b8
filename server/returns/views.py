"""The public shapes of an RMA, its units and the `return.received` summary (docs/api.md,
"Returns"; docs/returns.md, "Events")."""

from __future__ import annotations

from collections import Counter
from typing import Any

from server.models import Location, Product, ReturnUnit, Rma, RmaLine, isoformat


def lines_of(rma: Rma) -> list[RmaLine]:
    query = RmaLine.select(RmaLine, Product).join(Product).where(RmaLine.rma == rma)
    return list(query.order_by(RmaLine.id))


def units_of(rma: Rma) -> list[ReturnUnit]:
    query = ReturnUnit.select(ReturnUnit, Product).join(Product).where(ReturnUnit.rma == rma)
    return list(query.order_by(ReturnUnit.seq))


def unit_view(unit: ReturnUnit, codes: dict[int, str] | None = None) -> dict[str, Any]:
    codes = codes if codes is not None else _codes([unit])
    return {
        "seq": unit.seq,
        "sku": unit.product.sku,
        "lot": unit.lot,
        "expiry": unit.expiry.isoformat() if unit.expiry else None,
        "serial": unit.serial,
        "expected": unit.line_id is not None,
        "flags": unit.flags,
        "status": unit.status,
        "tree": unit.tree,
        "answers": unit.answers,
        "grade": unit.grade,
        "disposition": unit.disposition,
        "note": unit.note,
        "target": codes.get(unit.target_id) if unit.target_id else None,
        "location": codes.get(unit.location_id) if unit.location_id else None,
        "station": unit.station,
        "received_by": unit.received_by,
        "received_at": isoformat(unit.received_at),
        "put_away_at": isoformat(unit.put_away_at),
    }


def _codes(units: list[ReturnUnit]) -> dict[int, str]:
    ids = {i for u in units for i in (u.target_id, u.location_id) if i}
    if not ids:
        return {}
    return {loc.id: loc.code for loc in Location.select().where(Location.id.in_(ids))}


def expected_left(lines: list[RmaLine]) -> dict[str, int]:
    """What the RMA still expects, by SKU."""
    left: Counter[str] = Counter()
    for line in lines:
        if line.qty > line.received:
            left[line.product.sku] += line.qty - line.received
    return dict(left)


def rma_view(rma: Rma, with_units: bool = True) -> dict[str, Any]:
    lines = lines_of(rma)
    view: dict[str, Any] = {
        "rma_id": rma.rma_id,
        "order_external_id": rma.order.external_id,
        "status": rma.status,
        "unannounced": rma.unannounced,
        "created_at": isoformat(rma.created_at),
        "closed_at": isoformat(rma.closed_at),
        "lines": [
            {"sku": ln.product.sku, "qty": ln.qty, "reason": ln.reason, "received": ln.received}
            for ln in lines
        ],
    }
    if not with_units:
        return view
    units = units_of(rma)
    codes = _codes(units)
    view["units"] = [unit_view(u, codes) for u in units]
    view["progress"] = {
        "expected": sum(ln.qty for ln in lines),
        "received": sum(min(ln.received, ln.qty) for ln in lines),
        "unexpected": len([u for u in units if u.line_id is None]),
        "put_away": len([u for u in units if u.status == "put_away"]),
        "waiting": len([u for u in units if u.status != "put_away"]),
    }
    view["missing"] = rma.missing if rma.missing is not None else _as_list(expected_left(lines))
    return view


def received_view(rma: Rma) -> dict[str, Any]:
    """`return.received`: every unit (sku, lot, serial, grade, disposition, answers,
    location), the unexpected ones counted by SKU, and what is missing."""
    units = units_of(rma)
    codes = _codes(units)
    unexpected = Counter(u.product.sku for u in units if u.line_id is None)
    return {
        "rma_id": rma.rma_id,
        "order_external_id": rma.order.external_id,
        "unannounced": rma.unannounced,
        "closed_at": isoformat(rma.closed_at),
        "closed_by": rma.closed_by,
        "units": [
            {k: v for k, v in unit_view(u, codes).items() if k not in ("status", "target")}
            for u in units
        ],
        "unexpected": _as_list(dict(unexpected)),
        "missing": rma.missing or [],
    }


def _as_list(by_sku: dict[str, int]) -> list[dict[str, Any]]:
    return [{"sku": sku, "qty": qty} for sku, qty in sorted(by_sku.items())]
