"""The end of a pack: each package weighed (the scale's counted reading, a keyed weight
where allowed, or a supervisor's approval), labelled (SSCC, carrier, a print job) and its
label confirmed by a scan; then the order is packed."""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from devices.barcode import Scan
from server.floor.flow import FlowContext, Screen
from server.models import Package, PrintJob, utcnow
from server.packing import jobs, labelling, screens
from server.packing.carriers import NoCarrier
from server.packing.readings import Counted, NotYet, Reading, WeighStep, counted, scale_state
from server.packing.settings import PackingSettings
from server.packing.stations import StationDevices
from server.packing.steps import PackState, Step
from server.packing.store import PackWork


class Pack(Protocol):
    """What weighing needs of the pack flow's input (server/packing/flow.py `Pack`)."""

    ctx: FlowContext
    st: PackState
    settings: PackingSettings
    devices: StationDevices
    work: PackWork | None

    @property
    def order_id(self) -> str: ...

    def keep(self) -> None: ...

    def render(self) -> Screen: ...

    def error(self, message: str) -> Screen: ...

    def ok(self, message: str) -> Screen: ...


class Weighing:
    def __init__(self, pack: Pack, work: PackWork) -> None:
        self.pack, self.work = pack, work
        self.st, self.settings = pack.st, pack.settings

    # -- which package, and what the packer sees -------------------------------------------

    def next_package(self) -> Screen:
        """The first package not yet confirmed: weigh it, label it, or the order is done.
        A package left empty (its units moved to another) is dropped first."""
        jobs.drop_empty(self.work, self.pack.ctx.unit)
        for package in self.work.live_packages:
            if package.status == "confirmed":
                continue
            self.st.package = package.id
            if package.status in ("closed", "open"):
                if package.status == "open":
                    jobs.set_status(package, "closed")
                return self._start_weighing(package)
            if package.status == "weighed":
                return self.label(package)
            self.st.step = Step.LABEL
            return self.pack.render()
        return self._done()

    def screen(self, package: Package, count: int, mismatch: bool) -> Screen:
        scale = self._scale()
        shown = {"status": scale.status, "grams": scale.grams}
        if mismatch:
            message = self._mismatch_message(package)
            return screens.mismatch(self.pack.order_id, package.seq, count, message, shown)
        want = jobs.expected(self.work, package, self.settings)
        waiting = self._waiting_message()
        return screens.weigh(
            self.pack.order_id,
            package.seq,
            count,
            want.weight_g,
            want.allowed_g,
            shown,
            self.settings.manual_weight,
            waiting,
        )

    def _mismatch_message(self, package: Package) -> str:
        measured, want = package.measured_weight_g or 0, package.expected_weight_g or 0
        way = "too heavy" if measured > want else "too light"
        return f"{abs(measured - want):,} g {way} (measured {measured:,} g, expected {want:,} g)"

    def _scale(self) -> Any:
        device = self.pack.devices.scale
        if device is None:
            return scale_state(False, None)
        reading = self.pack.scale_now()
        if reading["status"] == "offline":
            return scale_state(False, None)
        last = Reading(float(reading["grams"] or 0), reading["status"] == "stable", utcnow(), 0)
        return scale_state(True, last)

    def _waiting_message(self) -> str:
        if self.pack.devices.scale is None:
            return "this station has no scale"
        if self._scale().status == "offline":
            return "the scale is offline: weighing is blocked"
        result = self.pack_counted()
        return "reading" if isinstance(result, Counted) else result.message

    def pack_counted(self) -> Counted | NotYet:
        """The reading that counts for the package now, from the session's readings."""
        st = self.st
        step = WeighStep(_at(st.weigh_at), st.weigh_seq, st.previous_seq)
        readings = [Reading(r["grams"], r["stable"], _at(r["at"]), r["seq"]) for r in st.readings]
        return counted(readings, step, self.settings.empty_below_g)

    def printer_state(self, package: Package) -> dict[str, Any]:
        printer = self.pack.devices.printer
        if printer is None:
            return {"device": None, "status": "none", "message": "no printer at this station"}
        job = (
            PrintJob.select()
            .where(PrintJob.package == package)
            .order_by(PrintJob.id.desc())
            .first()
        )
        if job is None:
            return {"device": printer, "status": "none", "message": "not printed"}
        messages = {
            "pending": "printing",
            "sending": "printing",
            "printed": "printed",
            "failed": f"the printer does not answer ({job.last_error}): check it, then Reprint",
        }
        status = job.status
        if status == "pending" and job.attempts:
            messages["pending"] = f"retrying: {job.last_error}"
        return {"device": printer, "status": status, "message": messages[status]}

    # -- weighing ----------------------------------------------------------------------------

    def _start_weighing(self, package: Package) -> Screen:
        self.st.step = Step.WEIGH
        self.st.weigh_at, self.st.weigh_seq = utcnow().isoformat(), self.st.seq
        device = self.pack.devices.scale
        if device is None:
            if self.settings.bench_packing:
                want = jobs.expected(self.work, package, self.settings)
                return self._weighed(package, want.weight_g, "bench", None)
            self.pack.keep()
            return self.pack.render().with_feedback(
                "error" if not self.settings.manual_weight else "warn",
                "This station has no scale: weighing is blocked"
                + (" (key the weight)" if self.settings.manual_weight else ""),
            )
        reading = self.pack.scale_now()
        if reading["status"] != "offline" and reading["grams"] is not None:
            # the scale's state now, so an empty scale at the start is known
            self.st.add_reading(float(reading["grams"]), reading["status"] == "stable",
                                self.st.weigh_at)  # fmt: skip
            self.st.weigh_seq = self.st.seq
        return self.try_weigh()

    def try_weigh(self) -> Screen:
        package = self.work.package(self.st.package)
        if package is None:
            return self.pack.render()
        if self.pack.devices.scale is not None and self._scale().status == "offline":
            self.pack.keep()
            return self.pack.render().with_feedback(
                "error", "The scale is offline: weighing is blocked"
            )
        result = self.pack_counted()
        if not isinstance(result, Counted):
            self.pack.keep()
            return self.pack.render()
        self.st.previous_seq = result.reading.seq
        return self._weighed(package, result.grams, "scale", self.pack.devices.scale)

    def _weighed(self, package: Package, grams: float, source: str, device: str | None) -> Screen:
        check = jobs.weighed(
            self.work, package, grams, source, device, self.settings, self.pack.ctx.unit
        )
        if check.within:
            return self.label(package).with_feedback(
                "ok", f"Package {package.seq}: {check.message}"
            )
        self.st.step = Step.MISMATCH
        self.pack.keep()
        return self.pack.render().with_feedback("error", f"Label blocked: {check.message}")

    def action(self, action: str, value: Any, step: Step) -> Screen:
        package = self.work.package(self.st.package)
        if package is None:
            return self.pack.error(f"{action} is not possible here")
        if step is Step.WEIGH and action == "key_weight":
            return self._keyed(package, value)  # never on a mismatch: a supervisor decides
        if step in (Step.MISMATCH, Step.VERIFY) and action == "reweigh":
            return self._start_weighing(package)
        if step is Step.MISMATCH and action == "recheck":
            self.st.step, self.st.last_item = Step.VERIFY, None
            return self.pack.ok(f"Check the units of package {package.seq}, then weigh again")
        if step is Step.MISMATCH and action == "override":
            self.st.step = Step.OVERRIDE_BADGE
            return self.pack.ok("Supervisor: scan your badge")
        if step is Step.LABEL and action == "reprint":
            return self.label(package).with_feedback("ok", "Label sent again")
        if action == "retry" and package.status == "weighed":
            return self.label(package)
        return self.pack.error(f"{action} is not possible here")

    def _keyed(self, package: Package, value: Any) -> Screen:
        if not self.settings.manual_weight:
            return self.pack.error("Keying a weight is not allowed here: use the scale")
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            return self.pack.error("Key the weight in grams")
        return self._weighed(package, value, "manual", None)

    def approve(self, reason: str) -> Screen:
        package = self.work.package(self.st.package)
        labels = screens.OVERRIDE_REASONS
        if package is None or reason not in labels or self.st.supervisor is None:
            return self.pack.error("Choose the reason")
        jobs.approve(self.work, package, self.st.supervisor, labels[reason], self.pack.ctx.unit)
        self.st.supervisor = None
        return self.label(package).with_feedback("ok", f"Approved: {labels[reason]}")

    # -- the label -----------------------------------------------------------------------------

    def label(self, package: Package) -> Screen:
        order = self.work.order
        choice = (
            labelling.choose_carrier(package, order, self.settings)
            if package.carrier is None
            else None
        )
        if isinstance(choice, NoCarrier):
            self.st.step = Step.LABEL
            self.pack.keep()
            count = len(self.work.live_packages)
            return screens.no_carrier(order.external_id, package.seq, count, choice.message)
        if choice is not None:
            carrier, service = choice.carrier, choice.service
            chosen_by = "oms" if choice.source == "oms" else (choice.rule_id or "rule")
        else:
            carrier, service = package.carrier or "", package.service or ""
            chosen_by = package.carrier_rule or "oms"
        jobs.label(
            self.work, package, carrier, service, chosen_by, self.pack.devices.printer,
            self.settings, self.pack.ctx.unit,
        )  # fmt: skip
        self.st.step = Step.LABEL
        self.pack.keep()
        return self.pack.render()

    def confirm(self, scan: Scan) -> Screen:
        package = self.work.package(self.st.package)
        if package is None or not package.sscc:
            return self.pack.error("No label is waiting to be confirmed")
        scanned = scan.sscc or scan.text.removeprefix("00")
        if scanned != package.sscc:
            return self.pack.error(
                f"That is not the label of package {package.seq}: scan its SSCC {package.sscc}"
            )
        jobs.confirm(self.work, package, self.pack.ctx.unit)
        return self.next_package().with_feedback("ok", f"Package {package.seq} is labelled")

    def _done(self) -> Screen:
        result = jobs.finish(self.work, self.pack.ctx.unit)
        self.st.next_order()
        self.st.step, self.st.done = Step.DONE, result
        self.pack.work = None
        self.pack.keep()
        return screens.done(result["order"], result["packages"])


def _at(text: str | None) -> dt.datetime:
    return dt.datetime.fromisoformat(text) if text else utcnow()
