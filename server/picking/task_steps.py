"""The steps of one pick task: location → product (lot checked) → quantity → the order's tote.

Skip moves the task to the end of the walk; short closes it with a reason (after the
picked part went into the tote); a pick-to-light press confirms the whole quantity.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from devices.barcode import DecodeError, Scan, decode
from server.catalog.lookups import product_id_of
from server.floor.flow import FloorInput, FlowContext, Screen
from server.inventory.stock import is_held
from server.models import Stock
from server.picking import screens
from server.picking.counting import (
    SHORT_REASONS,
    CountRefused,
    add_units,
    keyed_count,
    short_reason,
)
from server.picking.lights import Lights
from server.picking.lots import Allocated, LotRefused, LotRow, check_lot
from server.picking.moves import Picked, confirm_pick, postpone, substitute_lot
from server.picking.shorts import short_pick
from server.picking.steps import COUNTING, Step, TaskState
from server.picking.store import Work, load_work

Current = Callable[[FlowContext, Work, bool], Screen]


class TaskSteps:
    def __init__(self, ctx: FlowContext, work: Work, current: Current, lights: Lights) -> None:
        self.ctx, self.work, self.current, self.lights = ctx, work, current, lights
        task = work.task
        assert task is not None
        self.task = task
        self.st = TaskState.of(ctx.state.get("pick"), task.id)
        self._keep()

    def _keep(self) -> None:
        """Save the step with the session (the machinery persists ctx.state)."""
        self.ctx.state["pick"] = self.st.to_json()

    @property
    def view(self) -> screens.TaskView:
        return self.work.view(self.task)

    def screen(self, light: bool = False) -> Screen:
        view, step, count, progress = (
            self.view,
            self.st.step,
            self.st.count,
            self.work.progress,
        )
        if light and step is Step.LOCATION:
            self.lights.show(self.ctx.unit, view.location, view.remaining, view.sku)
        if step is Step.PRODUCT:
            return screens.scan_product(view, progress)
        if step is Step.QUANTITY:
            return screens.quantity(view, count, progress)
        if step is Step.TOTE:
            return screens.put_in_tote(view, count, progress, self.st.short)
        if step is Step.SHORT_REASON:
            return screens.ask_short_reason(view, count, progress)
        return screens.scan_location(view, progress)

    def error(self, message: str) -> Screen:
        return self.screen().with_feedback("error", message)

    def handle(self, inp: FloorInput) -> Screen:
        action = inp.action
        if action is not None:
            return self._action(action, inp)
        scan = inp.decoded if inp.decoded is not None else decode(inp.scan or "")
        if isinstance(scan, DecodeError):
            return self.error(scan.message)
        step = self.st.step
        if step is Step.LOCATION:
            return self._location(scan)
        if step in (Step.PRODUCT, Step.QUANTITY):
            return self._product(scan)
        if step is Step.TOTE:
            return self._tote(scan)
        return self.error("Choose why the pick is short")

    def _action(self, action: str, inp: FloorInput) -> Screen:
        if action == "skip":
            return self._skip()
        if action == "short" or action.startswith("short_"):
            value = inp.value if action == "short" else action.removeprefix("short_")
            return self._short(value)
        if action == "back" and self.st.step is Step.SHORT_REASON:
            self.st.step, self.st.back = self.st.back or Step.LOCATION, None
            self._keep()
            return self.screen()
        if action == "key_qty":
            return self._keyed(inp.value)
        if action == "confirm" and inp.source.startswith("light:"):
            return self._light_confirm(inp.source.removeprefix("light:"))
        return self.error(f"{action} is not possible here")

    def _location(self, scan: Scan) -> Screen:
        view = self.view
        if scan.text not in (view.location, view.location_barcode):
            return self.error(f"Wrong location {scan.text}: go to {view.location}")
        if is_held(self.task.location_id):  # a temperature excursion (server/coldchain/)
            return self.error(
                f"The stock at {view.location} is held: do not pick it. "
                "Report it short (damaged) or skip it; a supervisor decides"
            )
        self.st.step = Step.PRODUCT
        self._keep()
        return self.screen().with_feedback("ok", f"At {view.location}")

    def _product(self, scan: Scan) -> Screen:
        view = self.view
        if product_id_of(scan) != self.task.product_id:
            return self.error(f"Wrong product {scan.text}: scan {view.name} ({view.sku})")
        refused = self._lot(scan)
        if refused:
            return self.error(refused)
        if scan.serial and scan.serial in self.st.serials:
            return self.error(f"Serial {scan.serial} was already counted")
        counted = add_units(self.st.count, scan.count or 1, self.view.remaining, view.sku)
        if isinstance(counted, CountRefused):
            return self.error(counted.message)
        if scan.serial:
            self.st.serials.append(scan.serial)
        return self._counted(counted.count)

    def _lot(self, scan: Scan) -> str | None:
        task, stock = self.task, self.task.stock
        product = task.product
        if self.st.count > 0:
            same = not scan.lot or scan.lot == stock.lot
            return None if same else f"Wrong lot {scan.lot}: lot {stock.lot} expected"
        allocated = Allocated(
            stock.id, stock.lot, stock.expiry, product.lot_tracked, product.expiry_tracked
        )
        rows = self._rows_here() if scan.lot and scan.lot != stock.lot else []
        needed = task.qty - task.picked
        result = check_lot(allocated, scan.lot, scan.expiry, rows, needed, dt.date.today())
        if isinstance(result, LotRefused):
            return result.message
        if result.substituted:
            substitute_lot(task, result.stock_id, self.ctx.unit, self.work.batch.batch_id)
        return None

    def _rows_here(self) -> list[LotRow]:
        query = Stock.select().where(
            Stock.product == self.task.product_id, Stock.location == self.task.location_id
        )
        return [LotRow(r.id, r.lot, r.expiry, r.on_hand - r.reserved) for r in query]

    def _counted(self, count: int) -> Screen:
        complete = count >= self.view.remaining
        self.st.count, self.st.step = count, Step.TOTE if complete else Step.QUANTITY
        self._keep()
        if complete:
            self.lights.off(self.ctx.unit, self.view.location)
        return self.screen().with_feedback("ok", f"{count} of {self.view.remaining} counted")

    def _keyed(self, value: object) -> Screen:
        if self.st.step is not Step.QUANTITY:
            return self.error(f"Scan one {self.view.name} first, then key the count")
        counted = keyed_count(value, self.view.remaining, self.view.sku)
        if isinstance(counted, CountRefused):
            return self.error(counted.message)
        return self._counted(counted.count)

    def _light_confirm(self, device: str) -> Screen:
        if self.lights.light_at_location(self.view.location) != device:
            return self.error(f"That light is not at {self.view.location}: go there")
        if self.st.step not in COUNTING:
            return self.error(f"Put the units in tote {self.view.tote}")
        return self._counted(self.view.remaining)

    def _tote(self, scan: Scan) -> Screen:
        view = self.view
        if scan.text != view.tote:
            return self.error(
                f"Wrong tote {scan.text}: put them in tote {view.tote} ({view.order})"
            )
        count, reason = self.st.count, self.st.short
        slot = self.work.slot(self.task.batch_order_id)
        picked = Picked(count, list(self.st.serials))
        tote_id, batch_id = slot.tote_id or 0, self.work.batch.batch_id
        if not confirm_pick(self.task, tote_id, slot.order_id, picked, self.ctx.unit, batch_id):
            self.ctx.state.pop("pick", None)  # cancelled meanwhile: its put-back comes next
            work = load_work(self.work.batch)
            return self.current(self.ctx, work, True).with_feedback(
                "error", f"Order {view.order} was cancelled: do not put them in tote {view.tote}"
            )
        if reason:
            return self._close_short(reason, f"{count} {view.sku} in tote {view.tote}; ")
        return self._next(f"{count} {view.sku} in tote {view.tote}")

    def _short(self, value: object) -> Screen:
        if self.st.step is Step.TOTE:
            return self.error(f"Put the counted units in tote {self.view.tote} first")
        reason = short_reason(value)
        if reason is None:
            if self.st.step is not Step.SHORT_REASON:
                self.st.back = self.st.step
            self.st.step = Step.SHORT_REASON
            self._keep()
            return self.screen()
        if self.st.count > 0:
            self.st.step, self.st.short = Step.TOTE, reason
            self._keep()
            return self.screen()
        return self._close_short(reason, "")

    def _close_short(self, reason: str, prefix: str) -> Screen:
        self.lights.off(self.ctx.unit, self.view.location)
        view, batch = self.view, self.work.batch
        moved = short_pick(self.task, reason, view.order, batch.batch_id, self.ctx.unit)
        missing = self.task.qty - self.task.picked - moved
        self.ctx.state.pop("pick", None)
        note = f"{prefix}short ({SHORT_REASONS[reason]}): {moved} found elsewhere"
        note += f", {missing} missing" if missing else ""
        return self.current(self.ctx, load_work(batch), True).with_feedback("warn", note)

    def _skip(self) -> Screen:
        if self.st.count > 0:
            return self.error("Units are counted: put them in the tote or report short")
        self.lights.off(self.ctx.unit, self.view.location)
        postpone(self.task, self.ctx.unit, self.work.batch.batch_id)
        self.work.postpone_task()
        return self._next(f"{self.view.sku} at {self.view.location} moved to the end")

    def _next(self, message: str) -> Screen:
        work = self.work
        if work.task is self.task and self.task.picked >= self.task.qty:
            work.finish_task()
        self.ctx.state.pop("pick", None)
        return self.current(self.ctx, work, True).with_feedback("ok", message)
