"""The floor flow `pack` (docs/packing.md): from a tote at the pack zone to verified,
weighed, labelled packages, one input at a time.

Durable truth (the job, its packages, what is verified into them) lives in the packing
tables; where the packer is (the step, the scale's recent readings) is session scratch in
`ctx.state["pack"]` (server/packing/steps.py). Operator mistakes never raise: they return
the current screen with error feedback, and nothing changes.
"""

from __future__ import annotations

from typing import Any

from devices.barcode import DecodeError, Scan, decode
from server.catalog.lookups import tote_of
from server.floor.auth import verify_pin
from server.floor.flow import FloorInput, FlowContext, Screen
from server.floor.sessions import pin_attempt
from server.models import FloorOperator, Order, PackJob, utcnow
from server.packing import jobs, screens, store
from server.packing.concerns import CONCERNS, packers_concerned
from server.packing.endings import short
from server.packing.filling import Filling
from server.packing.readiness import NO_PREFIX, station_warning
from server.packing.release import is_released
from server.packing.settings import PackingSettings
from server.packing.stations import devices_at, scale_reading
from server.packing.steps import OVERRIDE_STEPS, PackState, Step
from server.packing.weighing import Weighing

# Where the packer may report units missing or damaged (the screens that offer it).
SHORT_FROM = frozenset({Step.BOX, Step.VERIFY, Step.WEIGH, Step.MISMATCH})
# Where a scale reading may come from: the MQTT ingest or a scale on this host, never a
# kiosk (a kiosk cannot key a weight that the scale did not read).
DEVICE_SOURCES = ("mqtt:", "serial:")


class PackFlow:
    """The pack flow; given its settings in the context (`ctx.settings`, `[packing]`)."""

    name = "pack"
    label = "Packing"
    roles = frozenset({"packer", "supervisor"})
    settings_key = "packing"
    concerns = CONCERNS  # server/packing/concerns.py

    def __init__(self, settings: Any) -> None:
        self.site = settings  # the whole settings: the station's devices are in [[devices]]

    def operators_concerned(self, events: list[dict[str, Any]]) -> set[str]:
        return packers_concerned(self.site, events)

    def notice(self, station: str | None) -> str | None:
        """What the home screen says about packing at this station (a missing scale, a
        printer that does not answer), before the packer chooses Packing."""
        devices = devices_at(self.site, station)
        stale = self.site.section("mqtt").stale_after_s
        reading = scale_reading(devices.scale, stale) if devices.scale is not None else None
        return station_warning(self.site.section("packing"), devices, reading)

    def enter(self, ctx: FlowContext) -> Screen:
        return Pack(ctx, self.site).render()

    def render(self, ctx: FlowContext) -> Screen:
        return Pack(ctx, self.site).render()

    def handle(self, ctx: FlowContext, inp: FloorInput) -> Screen:
        return Pack(ctx, self.site).handle(inp)


class Pack:
    """One input (or a render) of one packer's session."""

    def __init__(self, ctx: FlowContext, site: Any) -> None:
        self.ctx, self.site = ctx, site
        self.settings: PackingSettings = ctx.settings
        self.st = PackState.of(ctx.state.get("pack"))
        self.devices = devices_at(site, ctx.station)
        self._scale_read: dict[str, Any] | None = None
        job = store.open_job(ctx.operator.badge)
        if job is None and self.st.job is not None and self.st.step is not Step.DONE:
            job = PackJob.get_or_none(PackJob.id == self.st.job)  # cancelled or short
            if job is not None and job.status == "open":  # handed back: another's now
                job = None
        self.work = store.load(job) if job is not None else None
        if self.work is None and self.st.step is not Step.DONE:
            self.st.next_order()

    # -- plumbing ------------------------------------------------------------------------

    def keep(self) -> None:
        self.ctx.state["pack"] = self.st.to_json()

    def scale_now(self) -> dict[str, Any]:
        """The station's scale as it reads now, read once per input (a station with no
        scale has none: callers ask `devices.scale` first)."""
        assert self.devices.scale is not None
        if self._scale_read is None:
            stale = self.site.section("mqtt").stale_after_s
            self._scale_read = scale_reading(self.devices.scale, stale)
        return self._scale_read

    def error(self, message: str) -> Screen:
        return self.render().with_feedback("error", message)

    def ok(self, message: str) -> Screen:
        self.keep()
        return self.render().with_feedback("ok", message)

    @property
    def order_id(self) -> str:
        assert self.work is not None
        return self.work.order.external_id

    # -- what the packer sees --------------------------------------------------------------

    def render(self) -> Screen:
        self.keep()
        work, st = self.work, self.st
        if st.step is Step.DONE and st.done:
            return screens.done(st.done["order"], st.done["packages"])
        if work is None:
            screen = screens.scan_tote(self.ctx.station)
            warning = self._station_warning()
            return screen.with_feedback("warn", warning) if warning else screen
        if work.job.status == "cancelled":
            return screens.cancelled(self.order_id, work.tote.code if work.tote else None)
        return self._screen_of(st.step)

    def _station_warning(self) -> str | None:
        reading = self.scale_now() if self.devices.scale is not None else None
        return station_warning(self.settings, self.devices, reading)

    def _screen_of(self, step: Step) -> Screen:
        work = self.work
        assert work is not None
        order = self.order_id
        package = work.package(self.st.package)
        count = len(work.live_packages)
        if step is Step.BOX:
            return self.filling().box_screen()
        if step is Step.VERIFY and package is not None:
            return self.filling().verify_screen(package)
        if step is Step.SHORT_REASON:
            return screens.short_reason(order)
        approved = package is not None and package.status == "weighed" and package.override
        if (step is Step.MISMATCH or step in OVERRIDE_STEPS) and approved:
            # a supervisor approved it from the board: on to the label, as at the station
            assert package is not None
            self.st.supervisor = None
            by = package.override["by"].removeprefix("operator:")
            return (
                self.weighing()
                .label(package)
                .with_feedback("ok", f"Approved by {by}: {package.override['reason']}")
            )
        if step in (Step.WEIGH, Step.MISMATCH) and package is not None:
            return self.weighing().screen(package, count, step is Step.MISMATCH)
        if step is Step.OVERRIDE_BADGE:
            return screens.override_badge(order)
        if step is Step.OVERRIDE_PIN:
            return screens.override_pin(order, self.st.supervisor or "")
        if step is Step.OVERRIDE_REASON:
            return screens.override_reason(order)
        if step is Step.LABEL and package is not None and package.sscc:
            printer = self.weighing().printer_state(package)
            return screens.label(
                order, package.seq, count, package.sscc, package.carrier or "",
                package.service or "", printer,
            )  # fmt: skip
        return self._resume()

    def _resume(self) -> Screen:
        """The step the durable state says the packer is at (after a restart or a push)."""
        work = self.work
        assert work is not None
        live = work.live_packages
        open_ = next((p for p in live if p.status == "open"), None)
        if open_ is not None:
            self.st.step, self.st.package = Step.VERIFY, open_.id
            return self.filling().verify_screen(open_)
        if not work.all_verified or not live:
            self.st.step, self.st.package = Step.BOX, None
            return self.filling().box_screen()
        return self.weighing().next_package()

    def filling(self) -> Filling:
        assert self.work is not None
        return Filling(self, self.work)

    def weighing(self) -> Weighing:
        assert self.work is not None
        return Weighing(self, self.work)

    # -- inputs ----------------------------------------------------------------------------

    def handle(self, inp: FloorInput) -> Screen:
        action = inp.action
        if action == "scale":
            if not inp.source.startswith(DEVICE_SOURCES):
                return self.error("Weights come from the station's scale")
            return self._reading(inp.value)
        if action == "next":
            self.st.next_order()
            self.st.done = None
            self.work = None
            return self.ok("Scan the next tote")
        if self.work is None or self.work.job.status != "open":
            if action is not None:
                return self.error(f"{action} is not possible here: scan a tote")
            return self._start(inp)
        if action is not None:
            return self._action(action, inp)
        scan = inp.decoded if inp.decoded is not None else decode(inp.scan or "")
        if isinstance(scan, DecodeError):
            return self.error(scan.message)
        return self._scan(scan)

    def _scan(self, scan: Scan) -> Screen:
        step = self.st.step
        if step is Step.BOX:
            return self.filling().box_scanned(scan)
        if step is Step.VERIFY:
            return self.filling().unit_scanned(scan)
        if step is Step.OVERRIDE_BADGE:
            return self._supervisor_badge(scan)
        if step is Step.LABEL:
            return self.weighing().confirm(scan)
        if step in (Step.WEIGH, Step.MISMATCH):
            return self.error("Put the package on the scale; no scan is needed here")
        return self.error("Choose one of the buttons")

    def _action(self, action: str, inp: FloorInput) -> Screen:
        step = self.st.step
        if action == "short" and step in SHORT_FROM:
            self.st.step = Step.SHORT_REASON
            return self.ok("Say what is wrong")
        if action.startswith("short_") and step is Step.SHORT_REASON:
            return self._short(action.removeprefix("short_"))
        if action == "back" and (step is Step.SHORT_REASON or step in OVERRIDE_STEPS):
            self.st.supervisor = None
            self.st.step = self._back_to(step)
            return self.ok("Back")
        if action == "take_box" and step is Step.BOX:
            return self.filling().take_box()
        if step is Step.VERIFY and action in ("key_qty", "new_package", "move"):
            package = self.work.package(self.st.package) if self.work else None
            if package is not None and package.status != "open":
                return self.error("All units are in: check the box, then weigh it again")
            return self.filling().action(action, inp.value)
        if step is Step.OVERRIDE_PIN and action == "pin":
            return self._supervisor_pin(inp.value)
        if step is Step.OVERRIDE_REASON and action.startswith("reason_"):
            return self.weighing().approve(action.removeprefix("reason_"))
        return self.weighing().action(action, inp.value, step)

    def _back_to(self, step: Step) -> Step:
        if step in OVERRIDE_STEPS:
            return Step.MISMATCH
        work = self.work
        package = work.package(self.st.package) if work else None
        return Step.VERIFY if package is not None and package.status == "open" else Step.BOX

    # -- a tote or an order ------------------------------------------------------------------

    def _start(self, inp: FloorInput) -> Screen:
        if inp.scan is None:
            return self.error("Scan a tote from the pack zone")
        scan = inp.decoded if inp.decoded is not None else decode(inp.scan)
        if isinstance(scan, DecodeError):
            return self.error(scan.message)
        found = self._waiting(scan.text)
        if isinstance(found, str):
            return self.error(found)
        order, tote = found
        badge, unit = self.ctx.operator.badge, self.ctx.unit
        released = store.job_of_order(order) if order.status == "packing" else None
        if released is not None:  # handed back (_packable refused any other): on from there
            job = jobs.take_over(released, order, tote, self.ctx.station, badge, unit)
            self.work = store.load(job)
            self.st = PackState(job=job.id, readings=self.st.readings, seq=self.st.seq,
                                previous_seq=self.st.previous_seq)  # fmt: skip
            screen = self._resume()
            self.keep()
            return screen.with_feedback("ok", f"Order {order.external_id}: taken over")
        job = jobs.start(order, tote, self.ctx.station, badge, unit)
        self.work = store.load(job)
        self.st = PackState(step=Step.BOX, job=job.id, readings=self.st.readings,
                            seq=self.st.seq, previous_seq=self.st.previous_seq)  # fmt: skip
        units = sum(r.qty for r in self.work.rows)
        return self.ok(f"Order {order.external_id}: {units} units from tote {tote.code}")

    def _waiting(self, text: str) -> tuple[Order, Any] | str:
        """The order the scan names, waiting in a tote at the pack zone, or why not."""
        kind = self.settings.pack_zone_kind
        tote = tote_of(text)
        if tote is not None:
            orders = store.waiting_in(tote, kind)
            if not orders:
                return f"Tote {tote.code} holds nothing to pack: scan a tote from the {kind} zone"
            order = orders[0]
        else:
            named = Order.get_or_none(Order.external_id == text)
            if named is None:
                return f"{text} is neither a tote nor an order"
            order, tote = named, store.tote_of_order(named)
            if tote is None or order.id not in {o.id for o in store.waiting_in(tote, kind)}:
                return f"Order {text} is not waiting in a tote at the {kind} zone"
        return self._packable(order) or (order, tote)

    def _packable(self, order: Order) -> str | None:
        if not self.settings.gs1_company_prefix:
            return NO_PREFIX
        if order.status == "cancelled":
            return f"Order {order.external_id} was cancelled: set the tote aside for the put-back"
        if store.is_held(order):
            return f"Order {order.external_id} is on hold: give the tote to a supervisor"
        other = store.job_of_order(order) if order.status == "packing" else None
        if other is not None and not is_released(other):
            return f"Order {order.external_id} is being packed by {other.packer}"
        if other is None and order.status not in ("picked", "short_picked"):
            return f"Order {order.external_id} is {order.status}: it cannot be packed now"
        return None

    def _short(self, reason: str) -> Screen:
        labels = screens.SHORT_REASONS
        if reason not in labels:
            return self.error("Choose why")
        work = self.work
        assert work is not None
        short(work, reason, labels[reason], self.ctx.unit)
        tote = work.tote.code if work.tote else "the tote"
        order = self.order_id
        self.st.next_order()
        self.work = None
        self.keep()
        return screens.scan_tote(self.ctx.station).with_feedback(
            "warn", f"Order {order} is held: put every unit back in {tote} for the supervisor"
        )

    # -- the supervisor's override ---------------------------------------------------------------

    def _supervisor_badge(self, scan: Scan) -> Screen:
        row = FloorOperator.get_or_none(
            (FloorOperator.badge == scan.text) & (FloorOperator.active == True)  # noqa: E712
        )
        if row is None or "supervisor" not in row.roles:
            return self.error("That is not a supervisor's badge")
        if row.badge == self.ctx.operator.badge:
            return self.error("Another supervisor must approve your own package")
        self.st.step, self.st.supervisor = Step.OVERRIDE_PIN, row.badge
        return self.ok(f"{row.name}: type your PIN")

    def _supervisor_pin(self, value: Any) -> Screen:
        """The supervisor's PIN, counted and locked out as a login's is."""
        badge = self.st.supervisor or ""
        row = FloorOperator.get_or_none(FloorOperator.badge == badge)
        pin_ok = row is not None and row.active and verify_pin(row.pin_hash, str(value or ""))
        floor = self.site.section("floor")
        decision = pin_attempt(badge, pin_ok, self.ctx.device_id, floor.lockout_attempts,
                               floor.lockout_window_s, self.ctx.unit)  # fmt: skip
        if decision != "ok":
            self.st.step, self.st.supervisor = Step.OVERRIDE_BADGE, None
            if decision in ("lock_now", "locked"):
                return self.error(
                    f"Badge {badge} is locked after wrong PINs: ask another supervisor"
                )
            return self.error("Wrong PIN: scan the supervisor badge again")
        self.st.step = Step.OVERRIDE_REASON
        return self.ok("Choose the reason")

    # -- scale readings --------------------------------------------------------------------------

    def _reading(self, value: Any) -> Screen:
        if not isinstance(value, dict):
            return self.render()
        grams, stable = value.get("grams"), bool(value.get("stable"))
        if not isinstance(grams, int | float):
            return self.render()
        self.st.add_reading(float(grams), stable, utcnow().isoformat())
        if self.work is not None and self.st.step is Step.WEIGH:
            return self.weighing().try_weigh()
        return self.render()
