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

from server.catalog.lookups import location_of
from server.db import for_update
from server.errors import Conflict, InvalidInput, NotFound, field_error
from server.models import BatchOrder, Order, PickBatch, PutBack, Tote, isoformat
from server.models.picking import BatchStatus, PutBackStatus, SlotStatus
from server.picking.endings import PUT_BACK_EXCEPTION, put_back
from server.picking.store import OrderSlot
from server.spine import Handlers, Unit
from server.supervision.exceptions import resolve_open

HANDLERS = Handlers()


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
    """The put-backs waiting for a supervisor: totes of dropped batches (those still on a
    walk are the picker's)."""
    slot = (BatchOrder.tote == PutBack.tote) & (BatchOrder.order == PutBack.order)
    rows = (
        PutBack.select(PutBack, Tote, Order)
        .join(Tote)
        .switch(PutBack)
        .join(Order)
        .switch(PutBack)
        .join(BatchOrder, on=slot)
        .join(PickBatch)
        .where(
            PutBack.status == PutBackStatus.PENDING,
            BatchOrder.status == SlotStatus.CANCELLED,
            PickBatch.status == BatchStatus.DROPPED,
        )
        .order_by(PutBack.id)
    )
    return [put_back_view(r) for r in rows]


# Where put-back units can go: kinds that hold stock (pick and bulk are allocated again;
# returns and quarantine wait for a decision), never the pack zone or a dock.
SHELF_KINDS = ("pick", "bulk", "returns", "quarantine")


@dataclass(frozen=True)
class CompletePutBack:
    tote: str
    location: str


@HANDLERS.handles(CompletePutBack)
def complete_put_back(cmd: CompletePutBack, unit: Unit) -> dict[str, Any]:
    tote = for_update(Tote.select().where(Tote.code == cmd.tote)).first()
    if tote is None:
        raise NotFound(f"no tote {cmd.tote}")
    where = location_of(cmd.location)
    if where is None or where.kind not in SHELF_KINDS:
        why = "no such location" if where is None else f"a {where.kind} location holds no stock"
        raise InvalidInput(
            f"units cannot be put back at {cmd.location}",
            [field_error("location", f"{why}: give a {', '.join(SHELF_KINDS)} location")],
        )
    pending = (
        PutBack.select()
        .where(PutBack.tote == tote, PutBack.status == PutBackStatus.PENDING)
        .order_by(PutBack.id)
    ).first()
    if pending is None:
        raise Conflict(f"tote {cmd.tote} has no put-back waiting")
    slot = (
        BatchOrder.select(BatchOrder, PickBatch)
        .join(PickBatch)
        .where(
            BatchOrder.tote == tote,
            BatchOrder.order == pending.order_id,
            BatchOrder.status == SlotStatus.CANCELLED,
        )
        .first()
    )
    if slot is None or slot.batch.status != BatchStatus.DROPPED:
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
