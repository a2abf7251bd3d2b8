"""Put-backs a supervisor finishes: totes of orders cancelled after they reached the pack zone.

A cancel during the walk sends the picker to the put-back location (pick.put_back). Once the
batch was dropped there is no picker any more: the cancel raises a `put_back` exception for
supervisors, and whoever puts the units back confirms it here (admin API, CLI). The units
return to stock at the location given, the tote is free, the exception is resolved, all in
one transaction with their events.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from server.db import for_update
from server.errors import Conflict, NotFound
from server.models import BatchOrder, Location, Order, PickBatch, PutBack, Tote, isoformat
from server.picking.endings import PUT_BACK_EXCEPTION, put_back
from server.picking.store import OrderSlot
from server.spine import Unit, handles
from server.supervision.exceptions import resolve_open


def put_back_view(row: PutBack) -> dict[str, Any]:
    return {
        "tote": row.tote.code,
        "order": row.order.external_id,
        "status": row.status,
        "location": row.location.code if row.location is not None else None,
        "units": row.units,
        "created_at": isoformat(row.created_at),
        "done_at": isoformat(row.done_at),
    }


def pending_put_backs() -> list[dict[str, Any]]:
    rows = (
        PutBack.select(PutBack, Tote, Order)
        .join(Tote)
        .switch(PutBack)
        .join(Order)
        .where(PutBack.status == "pending")
        .order_by(PutBack.id)
    )
    return [put_back_view(r) for r in rows]


@dataclass(frozen=True)
class CompletePutBack:
    tote: str
    location: str


@handles(CompletePutBack)
def complete_put_back(cmd: CompletePutBack, unit: Unit) -> dict[str, Any]:
    tote = for_update(Tote.select().where(Tote.code == cmd.tote)).first()
    if tote is None:
        raise NotFound(f"no tote {cmd.tote}")
    where = Location.get_or_none(
        (Location.code == cmd.location) | (Location.barcode == cmd.location)
    )
    if where is None:
        raise NotFound(f"no location {cmd.location}")
    pending = PutBack.get_or_none(PutBack.tote == tote, PutBack.status == "pending")
    if pending is None:
        raise Conflict(f"tote {cmd.tote} has no put-back waiting")
    slot = (
        BatchOrder.select(BatchOrder, PickBatch)
        .join(PickBatch)
        .where(
            BatchOrder.tote == tote,
            BatchOrder.order == pending.order_id,
            BatchOrder.status == "cancelled",
        )
        .first()
    )
    if slot is None or slot.batch.status != "dropped":
        raise Conflict(
            f"tote {cmd.tote} is still on a picker's walk: the picker puts it back on the handheld"
        )
    order = pending.order
    units = put_back(
        OrderSlot(slot.id, order.id, order.external_id, tote.id, tote.code, slot.status),
        where,
        unit,
    )
    resolve_open(
        unit,
        kind=PUT_BACK_EXCEPTION,
        subject=f"tote:{tote.code}",
        resolution=f"put back at {where.code}",
    )
    return {"tote": tote.code, "order": order.external_id, "location": where.code, "units": units}
