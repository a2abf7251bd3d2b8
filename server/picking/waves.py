"""Manual release (`picking.release = "manual"`): accepted orders wait for a wave.

In manual mode every accepted order is held for release in its acceptance transaction
(`order.held`, reason "waiting for release"); a supervisor releases a wave of them, most
urgent first, optionally only those due before a time or of one channel. A wave releases
only holds made for release: an order a supervisor held (fraud check, address) stays held
until released by name. In "auto" mode (the default) nothing here runs.

A released wave is kept (`PickWave`, with its orders): a supervisor may hold it as one and
release it again (the board's waves tile). Held, its orders not yet in a batch are held
(`order.held` each, by `wave:<id>`: no batch is built of them) and its batches nobody has
claimed are not given out (`claimable`); a batch a picker has goes on. Released again,
exactly the holds the wave made are taken off (`order.released` each).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import peewee

from server import rawsql
from server.db import for_update
from server.errors import Conflict, NotFound
from server.ids import new_id
from server.models import BatchOrder, Order, OrderHold, PickBatch, utcnow
from server.models.orders import OrderStatus
from server.models.picking import PickWave, WaveOrder, WaveStatus
from server.orders.holds import HOLDABLE, hold, record_released
from server.picking.events import WaveHeld, WaveReleased
from server.spine import Handlers, Unit

HANDLERS = Handlers()

RELEASE_HOLDER = "release:manual"
RELEASE_REASON = "waiting for release"
WAITING = (
    OrderStatus.ACCEPTED,
    OrderStatus.BACKORDERED,
)  # a cancelled order's hold is never released
IN_PICKING = (*WAITING, OrderStatus.PICKING)  # what a wave still has to pick


def holder(wave_id: str) -> str:
    """Who holds the orders of a held wave (`OrderHold.held_by`)."""
    return f"wave:{wave_id}"


def hold_for_release(order: Order, unit: Unit) -> None:
    """Hook ORDER_ACCEPTED: in manual mode, the order waits for a wave."""
    if unit.env.section("picking").release != "manual":
        return
    hold(order, RELEASE_REASON, RELEASE_HOLDER, unit)


@dataclass(frozen=True)
class ReleaseWave:
    limit: int
    ship_by_before: dt.datetime | None = None
    channel: str | None = None


@HANDLERS.handles(ReleaseWave)
def release_wave(cmd: ReleaseWave, unit: Unit) -> dict[str, Any]:
    """Release up to `limit` orders waiting for release, most urgent first, as one wave."""
    query = (
        OrderHold.select(OrderHold, Order)
        .join(Order)
        .where(OrderHold.held_by == RELEASE_HOLDER, Order.status.in_(WAITING))
        .order_by(Order.priority.desc(), Order.ship_by.asc(nulls="LAST"), Order.id)
        .limit(cmd.limit)
    )
    if cmd.ship_by_before is not None:
        query = query.where(Order.ship_by < cmd.ship_by_before)
    if cmd.channel is not None:
        query = query.where(Order.channel == cmd.channel)
    holds: list[OrderHold] = list(for_update(query))
    if not holds:
        return {"wave": None, "released": [], "count": 0}
    OrderHold.delete().where(OrderHold.id.in_([h.id for h in holds])).execute()
    wave = PickWave.create(wave_id=new_id("wav"), released_by=str(unit.actor))
    rawsql.insert_rows(WaveOrder, [{"wave": wave.id, "order": h.order_id} for h in holds])
    released = [h.order.external_id for h in holds]
    for external_id in released:
        record_released(external_id, unit)
    unit.record(WaveReleased(wave.wave_id, released))
    return {"wave": wave.wave_id, "released": released, "count": len(released)}


@dataclass(frozen=True)
class HoldWave:
    wave_id: str
    reason: str = ""


@dataclass(frozen=True)
class ReleaseHeldWave:
    wave_id: str


def _wave(wave_id: str) -> PickWave:
    row = for_update(PickWave.select().where(PickWave.wave_id == wave_id)).first()
    if row is None:
        raise NotFound(f"no wave {wave_id}")
    return row


def _orders_to_pick(wave: PickWave) -> list[Order]:
    return list(
        Order.select()
        .join(WaveOrder, on=(WaveOrder.order == Order.id))
        .where(WaveOrder.wave == wave.id, Order.status.in_(IN_PICKING))
        .order_by(Order.id)
    )


@HANDLERS.handles(HoldWave)
def hold_wave(cmd: HoldWave, unit: Unit) -> dict[str, Any]:
    """Hold the wave: its orders not yet in a batch (and not held already) are held by
    the wave, its batches nobody has claimed wait; a batch a picker has goes on."""
    wave = _wave(cmd.wave_id)
    if wave.status == WaveStatus.HELD:
        raise Conflict(f"wave {cmd.wave_id} is already held (by {wave.held_by})")
    left = _orders_to_pick(wave)
    if not left:
        raise Conflict(f"wave {cmd.wave_id} has nothing left to pick")
    already = {
        h.order_id
        for h in OrderHold.select(OrderHold.order).where(OrderHold.order.in_([o.id for o in left]))
    }
    reason = cmd.reason or f"wave {cmd.wave_id} held"
    held = []
    for order in left:
        if order.status in HOLDABLE and order.id not in already:
            hold(order, reason, holder(wave.wave_id), unit)
            held.append(order.external_id)
    wave.status, wave.held_by, wave.held_at = WaveStatus.HELD, str(unit.actor), utcnow()
    wave.reason = reason
    wave.save()
    unit.record(WaveHeld(wave.wave_id, held, reason))
    in_batches = sum(1 for o in left if o.status == OrderStatus.PICKING)
    return {"wave": wave.wave_id, "held": held, "in_batches": in_batches}


@HANDLERS.handles(ReleaseHeldWave)
def release_held_wave(cmd: ReleaseHeldWave, unit: Unit) -> dict[str, Any]:
    """Release a held wave: the holds it made are taken off, its batches may be claimed."""
    wave = _wave(cmd.wave_id)
    if wave.status != WaveStatus.HELD:
        raise Conflict(f"wave {cmd.wave_id} is not held")
    holds = list(
        for_update(
            OrderHold.select(OrderHold, Order)
            .join(Order)
            .where(OrderHold.held_by == holder(wave.wave_id))
            .order_by(Order.id)
        )
    )
    if holds:
        OrderHold.delete().where(OrderHold.id.in_([h.id for h in holds])).execute()
    released = [h.order.external_id for h in holds]
    for external_id in released:
        record_released(external_id, unit)
    wave.status, wave.held_by, wave.held_at, wave.reason = WaveStatus.RELEASED, None, None, ""
    wave.save()
    unit.record(WaveReleased(wave.wave_id, released))
    return {"wave": wave.wave_id, "released": released}


def claimable(query: Any) -> Any:
    """Batches (a query of PickBatch) but those holding an order of a held wave."""
    held = (
        BatchOrder.select(BatchOrder.id)
        .join(WaveOrder, on=(WaveOrder.order == BatchOrder.order))
        .join(PickWave, on=(PickWave.id == WaveOrder.wave))
        .where(BatchOrder.batch == PickBatch.id, PickWave.status == WaveStatus.HELD)
    )
    return query.where(~peewee.fn.EXISTS(held))
