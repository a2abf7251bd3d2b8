"""The floor flow `returns` (docs/returns.md): a parcel found by its RMA, order or package
label, each unit scanned, graded by one-tap questions and put where its disposition says,
the RMA closed, one input at a time.

Durable truth lives in the returns tables (server/returns/receiving.py); where the clerk
is, and the answers given so far, is session scratch in `ctx.state["returns"]`
(server/returns/steps.py). Operator mistakes never raise: they return the current screen
with error feedback, and nothing changes.
"""

from __future__ import annotations

from typing import Any

from devices.barcode import DecodeError, Scan, decode
from server import rawsql
from server.catalog.lookups import location_of, product_id_of
from server.floor.flow import FloorInput, FlowContext, Screen
from server.models import Location, Order, Product, ReturnUnit, Rma, RmaLine, utcnow
from server.returns import grading, receiving, screens
from server.returns.events import ReturnReceived
from server.returns.finding import SHIPPED, Found, find
from server.returns.rules import Place, accepts
from server.returns.settings import ReturnsSettings
from server.returns.steps import ReturnsState, Step
from server.returns.store import trees
from server.returns.views import expected_left, lines_of


class ReturnsFlow:
    """The returns flow; given its settings in the context (`ctx.settings`, `[returns]`)."""

    name = "returns"
    label = "Returns"
    roles = frozenset({"returns", "supervisor"})
    settings_key = "returns"
    # An RMA closed by a supervisor (API, CLI) while a clerk has it open.
    concerns = frozenset({ReturnReceived.type})

    def operators_concerned(self, events: list[dict[str, Any]]) -> set[str]:
        """The clerks who received units of the RMAs just closed: their screen says so."""
        actors = {e["subject"].removeprefix("rma:"): e.get("actor") for e in events}
        query = (
            ReturnUnit.select(ReturnUnit.received_by, Rma.rma_id)
            .join(Rma)
            .where(Rma.rma_id.in_(list(actors)))
        )
        # not the clerk who closed it: their own answer already says so
        return {
            row.received_by
            for row in query
            if actors.get(row.rma.rma_id) != f"operator:{row.received_by}"
        }

    def enter(self, ctx: FlowContext) -> Screen:
        return Returns(ctx).render()

    def render(self, ctx: FlowContext) -> Screen:
        return Returns(ctx).render()

    def handle(self, ctx: FlowContext, inp: FloorInput) -> Screen:
        return Returns(ctx).handle(inp)


class Returns:
    """One input (or a render) of one returns clerk's session."""

    def __init__(self, ctx: FlowContext) -> None:
        self.ctx = ctx
        self.settings: ReturnsSettings = ctx.settings
        self.st = ReturnsState.of(ctx.state.get("returns"))
        self._rma: Rma | None = None  # read once per input
        self._row: ReturnUnit | None = None
        self._products: dict[int, Product] = {}
        self._target: Location | None = None
        self._lines: list[RmaLine] | None = None  # the RMA's lines, once read after a change
        if self.st.step is Step.FIND and self.st.unit is None:
            self._resume()

    def _resume(self) -> None:
        """A unit this clerk left half done (logged out, went home): take it up again."""
        row = (
            ReturnUnit.select()
            .where(
                ReturnUnit.received_by == self.ctx.operator.badge, ReturnUnit.status != "put_away"
            )  # fmt: skip
            .order_by(ReturnUnit.id)
            .first()
        )
        if row is not None:
            self.st.rma, self.st.unit = row.rma_id, row.id
            self.st.step = Step.GRADE if row.status == "grading" else Step.PUT_AWAY

    # -- plumbing ----------------------------------------------------------------------------

    def keep(self) -> None:
        self.ctx.state["returns"] = self.st.to_json()

    def error(self, message: str) -> Screen:
        return self.render().with_feedback("error", message)

    def ok(self, message: str, level: Any = "ok") -> Screen:
        return self.render().with_feedback(level, message)

    def rma(self) -> Rma:
        if self._rma is None or self._rma.id != self.st.rma:
            self._rma = rawsql.select_one(Rma, '"id" = ?', [self.st.rma])
        return self._rma

    def unit_row(self) -> ReturnUnit:
        if self._row is None or self._row.id != self.st.unit:
            self._row = rawsql.select_one(ReturnUnit, '"id" = ?', [self.st.unit])
        return self._row

    def graded(self) -> tuple[ReturnUnit, Location]:
        """The unit being put away, and its target (a graded unit always has one)."""
        row = self.unit_row()
        if self._target is None or self._target.id != row.target_id:
            known = row.__rel__.get("target")  # set by the grading in this input
            self._target = (
                known
                if known is not None
                else rawsql.select_one(Location, '"id" = ?', [row.target_id])
            )
        assert row.grade is not None and row.disposition is not None
        return row, self._target

    def product(self, product_id: int) -> Product:
        if product_id not in self._products:
            self._products[product_id] = rawsql.select_one(Product, '"id" = ?', [product_id])
        return self._products[product_id]

    # -- what the clerk sees ---------------------------------------------------------------

    def render(self) -> Screen:
        screen = self._render()
        self.keep()  # after: rendering may settle the step or the unit's tree
        return screen

    def _render(self) -> Screen:
        st = self.st
        if st.step is Step.DONE and st.done:
            d = st.done
            return screens.done(d["rma"], d["order"], d["units"], d["missing"])
        if st.step is Step.CHOOSE and st.order is not None:
            rmas = [Rma.get_by_id(i).rma_id for i in st.choices]
            return screens.choose(Order.get_by_id(st.order).external_id, rmas)
        if st.step is Step.UNANNOUNCED and st.order is not None:
            return screens.unannounced(Order.get_by_id(st.order).external_id)
        if st.step is Step.ASIDE and st.done:
            return screens.aside(st.done["about"])
        if st.rma is None:
            st.step = Step.FIND
            return screens.find()
        if st.step is Step.GRADE and st.unit is not None:
            return self._grade_screen()
        if st.step is Step.PUT_AWAY and st.unit is not None:
            row, target = self.graded()
            product = self.product(row.product_id)
            return screens.put_away(self.rma().rma_id, product.sku, row.grade or "",
                                    row.disposition or "", target.code, row.note)  # fmt: skip
        rma = self.rma()
        if rma.status == "closed":  # closed under the clerk (a supervisor, another station)
            return self._closed(rma)
        if st.step is Step.CONFIRM_MISSING:
            return screens.confirm_missing(rma.rma_id, receiving.left(rma))
        st.step = Step.UNIT
        return self._unit_screen()

    def _unit_screen(self) -> Screen:
        rma = self.rma()
        lines = self._lines if self._lines is not None else lines_of(rma)
        left = {ln.product.sku: ln.qty - ln.received for ln in lines if ln.qty > ln.received}
        unexpected = (
            ReturnUnit.select().where(ReturnUnit.rma == rma, ReturnUnit.line.is_null()).count()
        )
        return screens.scan_unit(
            rma.rma_id, Order.get_by_id(rma.order_id).external_id, left,
            sum(ln.qty for ln in lines), sum(min(ln.received, ln.qty) for ln in lines),
            unexpected, rma.unannounced,
        )  # fmt: skip

    def _grade_screen(self) -> Screen:
        row = self.unit_row()
        product = self.product(row.product_id)
        root = self._root(product)
        node = grading.walk(root, self.st.answers)
        if node is None or grading.is_outcome(node):  # the tree changed under us: start over
            self.st.answers, node = [], root
        return screens.grade(self.rma().rma_id, product.sku, product.name, node,
                             len(self.st.answers), row.flags)  # fmt: skip

    def _root(self, product: Product) -> dict[str, Any]:
        if self.st.root is None:
            tree = grading.tree_for(trees(), product.category)
            self.st.tree, self.st.root = tree["id"], tree["root"]
        assert self.st.root is not None
        return self.st.root

    # -- inputs ----------------------------------------------------------------------------

    def handle(self, inp: FloorInput) -> Screen:
        if inp.action is not None:
            return self._action(inp.action)
        scan = inp.decoded if inp.decoded is not None else decode(inp.scan or "")
        if isinstance(scan, DecodeError):
            return self.error(scan.message)
        step = self.st.step
        if step in (Step.FIND, Step.DONE, Step.ASIDE):
            return self._find(scan)
        if step is Step.UNIT:
            return self._unit(scan)
        if step is Step.PUT_AWAY:
            return self._put_away(scan)
        return self.error("Choose one of the buttons")

    def _action(self, action: str) -> Screen:
        st = self.st
        if action == "next" and st.step in (Step.DONE, Step.ASIDE):
            st.next_parcel()
            return self.ok("Scan the next parcel")
        if action == "back" and st.step in (Step.CHOOSE, Step.UNANNOUNCED):
            st.next_parcel()
            return self.ok("Back")
        if action.startswith("open_") and st.step is Step.CHOOSE:
            index = action.removeprefix("open_")
            if not index.isdigit() or int(index) >= len(st.choices):
                return self.error("Choose one of the returns")
            return self._opened(Rma.get_by_id(st.choices[int(index)]))
        if st.step is Step.UNANNOUNCED and action in ("open_return", "aside"):
            return self._unannounced(action)
        if st.step is Step.GRADE and (action == "back" or action.startswith("answer_")):
            return self._answer(action)
        if st.step is Step.UNIT and action == "other_parcel":
            rma = self.rma().rma_id
            st.next_parcel()
            return self.ok(f"Return {rma} stays open: scan the next parcel")
        if st.step is Step.UNIT and action in ("close", "close_missing"):
            return self._close(action == "close_missing")
        if st.step is Step.CONFIRM_MISSING and action in ("confirm_missing", "back"):
            if action == "back":
                st.step = Step.UNIT
                return self.ok("Back")
            return self._close(True, confirmed=True)
        return self.error(f"{action} is not possible here")

    # -- finding the return ----------------------------------------------------------------

    def _find(self, scan: Scan) -> Screen:
        found = find(scan)
        if isinstance(found, str):
            self.st.next_parcel()
            return self.error(found)
        self.st.next_parcel()
        order = found.order.external_id
        if len(found.rmas) == 1:
            return self._opened(found.rmas[0])
        if found.rmas:
            self.st.step, self.st.order = Step.CHOOSE, found.order.id
            self.st.choices = [r.id for r in found.rmas]
            return self.ok(f"Order {order} has {len(found.rmas)} open returns")
        return self._no_rma(found, order, scan.text)

    def _no_rma(self, found: Found, order: str, text: str) -> Screen:
        if any(r.rma_id == text for r in found.closed):
            return self.error(f"Return {text} is already closed")
        if found.order.status not in SHIPPED:
            return self.error(f"Order {order} is {found.order.status}: it was never shipped")
        if self.settings.unannounced == "aside":
            return self._aside(found.order)
        self.st.step, self.st.order = Step.UNANNOUNCED, found.order.id
        return self.ok(f"Order {order} has no return announced", "warn")

    def _opened(self, rma: Rma) -> Screen:
        self.st.next_parcel()
        self.st.rma, self.st.step = rma.id, Step.UNIT
        order = Order.get_by_id(rma.order_id).external_id
        return self.ok(f"Return {rma.rma_id} of order {order}")

    def _unannounced(self, action: str) -> Screen:
        order = Order.get_by_id(self.st.order)
        if action == "aside":
            return self._aside(order)
        rma = receiving.open_unannounced(order, self.ctx.unit)
        screen = self._opened(rma)
        return screen.with_feedback(
            "ok", f"Return {rma.rma_id} opened for order {order.external_id}"
        )

    def _aside(self, order: Order) -> Screen:
        receiving.put_aside(order, order.external_id, self.ctx.station, self.ctx.unit)
        self.st.next_parcel()
        self.st.step, self.st.done = Step.ASIDE, {"about": f"order {order.external_id}"}
        return self.ok("A supervisor was told: put the parcel aside", "error")

    # -- each unit -------------------------------------------------------------------------

    def _unit(self, scan: Scan) -> Screen:
        product_id = product_id_of(scan)
        if product_id is None:
            return self.error(f"{scan.text} is not a product we know: set the unit aside")
        product = self.product(product_id)
        row = receiving.receive(self.st.rma or 0, product, scan, self.ctx.station,
                                self.ctx.operator.badge, self.ctx.unit)  # fmt: skip
        if isinstance(row, str):
            return self.error(row)
        self._row, self._rma = row, row.rma
        self.st.unit, self.st.step, self.st.answers, self.st.root = row.id, Step.GRADE, [], None
        if "serial_not_shipped" in row.flags:
            return self.ok(f"Serial {row.serial} was never shipped on this order: "
                           "grade it, it goes to quarantine", "error")  # fmt: skip
        if "unexpected" in row.flags:
            return self.ok(f"{product.sku} is not on this return: received as unexpected", "warn")
        return self.ok(f"{product.sku} received: grade it")

    def _answer(self, action: str) -> Screen:
        row = self.unit_row()
        root = self._root(self.product(row.product_id))
        if action == "back":
            self.st.answers = self.st.answers[:-1]
            return self.ok("Back")
        answers = [*self.st.answers, action.removeprefix("answer_")]
        node = grading.walk(root, answers)
        if node is None:
            return self.error("Choose one of the answers")
        if not grading.is_outcome(node):
            self.st.answers = answers
            return self.render()
        problem = receiving.graded(
            self.rma().rma_id, row, self.product(row.product_id), self.st.tree or "", grading.asked(root, answers), node, self.settings,
            utcnow().date(), self.ctx.unit,
        )  # fmt: skip
        if problem:
            return self.error(problem)
        self.st.answers, self.st.step = answers, Step.PUT_AWAY
        return self.render()

    def _put_away(self, scan: Scan) -> Screen:
        row, target = self.graded()
        location = location_of(scan.text)
        if location is None:
            return self.error(f"{scan.text} is not a location: scan {target.code}")
        place = Place(location.code, location.kind, location.walk_sequence)
        if not accepts(
            row.disposition or "", Place(target.code, target.kind, target.walk_sequence), place
        ):
            return self.error(f"{location.code} is not where this unit goes: scan {target.code}")
        product = self.product(row.product_id)
        self._rma = receiving.put_away(row, product, target, location, self.ctx.unit)
        self.st.unit_done()
        rma = self.rma()
        self._lines = lines_of(rma)
        if not rma.unannounced and not expected_left(self._lines):
            return self._close(False, quietly=True)
        return self.ok(f"Put away at {location.code}: scan the next unit")

    # -- closing ----------------------------------------------------------------------------

    def _close(self, missing: bool, confirmed: bool = False, quietly: bool = False) -> Screen:
        rma = self.rma()
        if missing and not confirmed:
            self.st.step = Step.CONFIRM_MISSING
            return self.render()
        problem = receiving.close(
            rma, f"operator:{self.ctx.operator.badge}", self.ctx.unit, missing
        )
        if problem:
            if quietly:
                return self.ok("Put away: scan the next unit")
            self.st.step = Step.UNIT
            return self.error(problem)
        self._rma = None  # closed: read it again
        rma = self.rma()
        screen = self._closed(rma)
        self.keep()
        return screen.with_feedback("ok", f"Return {rma.rma_id} closed: the OMS is told")

    def _closed(self, rma: Rma) -> Screen:
        units = ReturnUnit.select().where(ReturnUnit.rma == rma).count()
        order = Order.get_by_id(rma.order_id).external_id
        count = sum(m["qty"] for m in rma.missing or [])
        self.st.next_parcel()
        self.st.step = Step.DONE
        self.st.done = {"rma": rma.rma_id, "order": order, "units": units, "missing": count}
        return screens.done(rma.rma_id, order, units, count)
