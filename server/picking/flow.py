"""The floor flow `pick`: the walk of docs/picking.md (screens as in docs/architecture.md,
Floor protocol), one input at a time.

Durable truth (batch, totes, tasks) lives in the picking tables; the step inside the
current task (location scanned, units counted) is session scratch in `ctx.state["pick"]`.
Operator mistakes never raise: they return the current screen with error feedback, and
nothing changes.
"""

from __future__ import annotations

from typing import Any

from devices.barcode import DecodeError, Scan, decode
from server import rawsql
from server.catalog.lookups import location_of, tote_of
from server.events import type_names
from server.floor.flow import FloorInput, FlowContext, Screen
from server.models import BatchOrder, Location, Order, PickBatch, Tote
from server.models.picking import BatchStatus, SlotStatus
from server.models.totes import ToteStatus
from server.orders.events import OrderCancelled
from server.picking import screens
from server.picking.claim import claim_batch
from server.picking.endings import drop_batch, put_back
from server.picking.events import BatchReassigned, BatchUnassigned, ToteAssigned
from server.picking.lights import Lights
from server.picking.settings import PickingSettings
from server.picking.store import OrderSlot, Work, current_work, load_work
from server.picking.task_steps import TaskSteps
from server.totes import store as totes


def scan_of(inp: FloorInput) -> Scan | DecodeError:
    if inp.decoded is not None:
        return inp.decoded
    return decode(inp.scan or "")


def put_back_location(settings: PickingSettings) -> Location | None:
    code = settings.put_back_location
    if code:
        return Location.get_or_none(Location.code == code)
    query = Location.select().where(Location.kind == "returns")
    return query.order_by(Location.walk_sequence, Location.id).first()


class PickFlow:
    """The pick flow; built at bootstrap with its lights, given its settings in the context
    (`ctx.settings`, the `[picking]` section)."""

    name = "pick"
    label = "Picking"
    roles = frozenset({"picker", "supervisor"})
    settings_key = "picking"
    concerns = type_names((OrderCancelled, BatchReassigned, BatchUnassigned))

    def __init__(self, lights: Lights) -> None:
        self.lights = lights

    def operators_concerned(self, events: list[dict[str, Any]]) -> set[str]:
        """Pickers of a cancelled order's batch; both pickers of a (re/un)assigned batch."""
        badges: set[str] = set()
        for event in events:
            if event["type"] == OrderCancelled.type:
                badges |= _pickers_of(event["subject"].removeprefix("order:"))
            else:
                badges |= {b for b in (event["data"].get("from"), event["data"].get("to")) if b}
        return badges

    def enter(self, ctx: FlowContext) -> Screen:
        batch = claim_batch(ctx.operator.badge, ctx.settings, ctx.unit)
        if batch is None:
            return screens.no_work()
        ctx.state.pop("pick", None)
        return self._current(ctx, load_work(batch), light=True)

    def render(self, ctx: FlowContext) -> Screen:
        work = current_work(ctx.operator.badge)
        if work is None:
            return self._idle(ctx)
        return self._current(ctx, work)

    def handle(self, ctx: FlowContext, inp: FloorInput) -> Screen:
        if inp.action in ("next", "retry"):
            return self.enter(ctx)
        work = current_work(ctx.operator.badge)
        if work is None:
            return self._idle(ctx).with_feedback("warn", "You have no batch: choose Next batch")
        slot = _put_back_due(work)
        if slot is not None:
            return self._put_back(ctx, work, slot, inp)
        slot = _tote_due(work)
        if slot is not None:
            return self._assign_tote(ctx, work, slot, inp)
        if work.task is not None:
            return TaskSteps(ctx, work, self._current, self.lights).handle(inp)
        return self._drop(ctx, work, inp)

    def _idle(self, ctx: FlowContext) -> Screen:
        done = ctx.state.get("pick_done")
        return screens.batch_done(*done) if done else screens.no_work()

    def _current(self, ctx: FlowContext, work: Work, light: bool = False) -> Screen:
        slot = _put_back_due(work)
        if slot is not None:
            where = put_back_location(ctx.settings)
            code = where.code if where else "(no put-back location configured)"
            return screens.put_back(slot.external_id, slot.tote or "", code, work.progress)
        slot = _tote_due(work)
        if slot is not None:
            index = [o.id for o in work.orders if o.status == SlotStatus.ACTIVE].index(slot.id) + 1
            return screens.scan_tote(slot.external_id, index, work.progress.orders, work.progress)
        if work.task is None:
            return screens.scan_drop(ctx.settings.drop_zone_kind, work.progress)
        return TaskSteps(ctx, work, self._current, self.lights).screen(light=light)

    def _put_back(self, ctx: FlowContext, work: Work, slot: OrderSlot, inp: FloorInput) -> Screen:
        here = self._current(ctx, work)
        where = put_back_location(ctx.settings)
        scanned = _plain(inp)
        if where is None or scanned is None or scanned not in (where.code, where.barcode):
            expected = where.code if where else "a put-back location"
            return here.with_feedback("error", f"Scan the put-back location {expected}")
        units = put_back(slot, where, ctx.unit)
        work = load_work(work.batch)
        message = f"Tote {slot.tote} put back at {where.code} ({units} units back in stock)"
        return self._current(ctx, work, light=True).with_feedback("ok", message)

    def _assign_tote(
        self, ctx: FlowContext, work: Work, slot: OrderSlot, inp: FloorInput
    ) -> Screen:
        here = self._current(ctx, work)
        code = _plain(inp)
        if code is None:
            return here.with_feedback("error", f"Scan an empty tote for order {slot.external_id}")
        tote = tote_of(code)
        if tote is None:
            return here.with_feedback("error", f"{code} is not a known tote; scan an empty tote")
        if tote.status != ToteStatus.FREE:
            return here.with_feedback("error", f"Tote {code} is in use; scan an empty tote")
        _claim_tote(tote, slot, work, ctx)
        work = load_work(work.batch)
        message = f"Tote {code} is for order {slot.external_id}"
        return self._current(ctx, work, light=True).with_feedback("ok", message)

    def _drop(self, ctx: FlowContext, work: Work, inp: FloorInput) -> Screen:
        here = self._current(ctx, work)
        kind = ctx.settings.drop_zone_kind
        code = _plain(inp)
        place = location_of(code) if code else None
        if place is None or place.kind != kind:
            return here.with_feedback("error", f"Scan a drop location in the {kind} zone")
        drop_batch(work.batch, work.orders, place, ctx.unit)
        ctx.state.pop("pick", None)
        ctx.state["pick_done"] = [work.batch.batch_id, place.code]
        return screens.batch_done(work.batch.batch_id, place.code)


def _put_back_due(work: Work) -> OrderSlot | None:
    return next((o for o in work.orders if o.status == SlotStatus.CANCELLED and o.tote_id), None)


def _tote_due(work: Work) -> OrderSlot | None:
    return next(
        (o for o in work.orders if o.status == SlotStatus.ACTIVE and o.tote_id is None), None
    )


def _plain(inp: FloorInput) -> str | None:
    if inp.scan is None:
        return None
    scan = scan_of(inp)
    return scan.text if isinstance(scan, Scan) else None


def _claim_tote(tote: Tote, slot: OrderSlot, work: Work, ctx: FlowContext) -> None:
    # hand-written (server/rawsql.py): every order of every batch takes a tote
    totes.take(tote.id)
    rawsql.update_one(BatchOrder, slot.id, {"tote": tote.id})
    ctx.unit.record(ToteAssigned(tote.code, slot.external_id, work.batch.batch_id))


def _pickers_of(external_id: str) -> set[str]:
    query = (
        PickBatch.select(PickBatch.operator)
        .join(BatchOrder)
        .join(Order)
        .where(Order.external_id == external_id, PickBatch.status == BatchStatus.ASSIGNED)
    )
    return {row.operator for row in query if row.operator}
