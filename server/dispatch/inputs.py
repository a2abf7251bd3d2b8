"""One input (or a render) of a dispatcher's session in the dispatch flow
(server/dispatch/flow.py): the screens before a manifest is chosen (a dock, a manifest, a
carrier, the dock again), loading and unloading by SSCC, and the close; the split approval
is server/dispatch/approval.py. Operator mistakes return the current screen with error
feedback and change nothing."""

from __future__ import annotations

import re
from typing import Any

from devices.barcode import DecodeError, Scan, decode
from server.catalog.lookups import location_of
from server.dispatch import docks, hot, manifests, screens, store
from server.dispatch.approval import Approval
from server.dispatch.closing import close, problems
from server.dispatch.rules import (
    DoorFacts,
    carrier_label,
    door_refusal,
    load_refusal,
    unload_refusal,
)
from server.dispatch.settings import DispatchSettings
from server.dispatch.steps import SPLIT_STEPS, DispatchState, Step
from server.errors import Conflict
from server.floor.flow import FloorInput, FlowContext, Screen
from server.models.dispatch import Manifest

TRAILER = re.compile(r"^[\x21-\x7e]{1,64}$")


class Dispatch:
    """One input (or a render) of one dispatcher's session."""

    def __init__(self, ctx: FlowContext, site: Any) -> None:
        self.ctx, self.site = ctx, site
        self.settings: DispatchSettings = ctx.settings
        self.st = DispatchState.of(ctx.state.get("dispatch"))
        self.m: Manifest | None = None
        if self.st.manifest is not None:
            row = hot.manifest(self.st.manifest)
            self.m = row.model() if row is not None else None
            if self.m is None:
                self.st.at_dock(self.st.dock)
        station = ctx.station if self.st.step is Step.DOCK and self.st.dock is None else None
        if station and docks.dock_of(station) is not None:  # a station kiosk at the dock
            self.st.dock = station

    # -- plumbing ------------------------------------------------------------------------

    def keep(self) -> None:
        self.ctx.state["dispatch"] = self.st.to_json()

    def error(self, message: str) -> Screen:
        return self.render().with_feedback("error", message)

    def ok(self, message: str, level: Any = "ok") -> Screen:
        """The answer, keeping a standing warning (a package to take off the trailer, the
        door sensor offline) in view beside it."""
        screen = self.render()
        standing = screen.feedback
        if level == "ok" and standing is not None and standing.level == "warn":
            return screen.with_feedback("warn", f"{message}. {standing.message}")
        return screen.with_feedback(level, message)

    @property
    def badge(self) -> str:
        return self.ctx.operator.badge

    def on_manifest(self) -> screens.OnManifest:
        m = self.m
        assert m is not None
        loaded, waiting = hot.counts(m)
        return screens.OnManifest(
            manifest=m.manifest_id,
            dock=m.dock.code,
            carrier=carrier_label(m.carrier, m.service or None),
            trailer=m.trailer,
            door=docks.door_view(self.site, m.dock.code),
            loaded=loaded,
            waiting=waiting,
        )

    # -- what the dispatcher sees --------------------------------------------------------

    def render(self) -> Screen:
        st = self.st
        if st.step is Step.CLOSED and st.closed:
            self.keep()
            return screens.closed(st.closed)
        if self.m is not None and self.m.status != "open":
            gone = f"Manifest {self.m.manifest_id} was {self.m.status} by {self.m.closed_by}"
            self.m = None
            st.at_dock(st.dock)
            return self._arrival_screen().with_feedback("warn", gone)
        if self.m is None:
            return self._arrival_screen()
        screen = self._manifest_screen()
        self.keep()
        return screen

    def _arrival_screen(self) -> Screen:
        """Before a manifest is chosen: scan a dock, choose a manifest or a carrier."""
        st = self.st
        if st.step is Step.CHOOSE and st.dock:
            open_ = {m.manifest_id: m for m in self._open_at(st.dock)}
            listed = [(i, self._label(open_[i])) for i in st.choices if i in open_]
            self.keep()
            return screens.choose_manifest(st.dock, listed)
        if st.step is Step.CARRIER and st.dock:
            self.keep()
            return screens.choose_carrier(st.dock, [(lbl, n) for _, lbl, n in self._carriers()])
        if st.step is Step.CONFIRM and st.dock and st.carrier:
            self.keep()
            return screens.confirm_dock(st.dock, carrier_label(*st.carrier), st.trailer)
        if st.dock:
            return self._arrive(st.dock)
        st.at_dock(None)
        self.keep()
        return screens.scan_dock()

    def _manifest_screen(self) -> Screen:
        st, on = self.st, self.on_manifest()
        if st.step in (Step.LOAD, Step.UNLOAD):
            offline_ok = self.settings.offline_allowed(on.dock)
            facts = DoorFacts(on.door["device"], on.door["status"])
            waits = door_refusal(facts, offline_ok)
            if waits:
                return screens.door_waits(on, waits)
            if st.step is Step.UNLOAD:
                return screens.unload(on)
            screen = screens.load(on, st.last)
            take_off = hot.must_come_off(self.m)  # type: ignore[arg-type]
            if take_off:
                return screen.with_feedback(
                    "warn", f"Take off the trailer and unload: {', '.join(take_off)}"
                )
            if facts.status == "offline":
                return screen.with_feedback(
                    "warn", f"The door sensor {facts.device} is offline: loading goes on"
                )
            return screen
        if st.step is Step.PROGRESS:
            return screens.progress(on, self._by_order())
        if st.step is Step.BLOCKED:
            found = problems(self.m, None, False)  # type: ignore[arg-type]
            if not found:
                st.step = Step.SEAL
                return screens.seal(on, self.settings.seal_required)
            can_split = all(p.kind == "incomplete" for p in found)
            return screens.blocked(on, [p.said for p in found], can_split)
        if st.step in SPLIT_STEPS:
            return self.approval().screen(on)
        if st.step is Step.SEAL:
            return screens.seal(on, self.settings.seal_required)
        st.step = Step.LOAD
        return self._manifest_screen()

    def _by_order(self) -> dict[str, str]:
        assert self.m is not None
        found = store.orders_on(self.m)
        found.sort(key=lambda o: (not o.elsewhere, o.order))
        return {
            o.order: f"{len(o.loaded)} of {len(o.loaded) + len(o.elsewhere)} loaded"
            + (" (split approved)" if o.split_approved and o.elsewhere else "")
            for o in found
        }

    # -- a dock, a manifest ----------------------------------------------------------------

    def _open_at(self, dock: str) -> list[Manifest]:
        location = docks.dock_of(dock)
        return store.open_at(location) if location is not None else []

    @staticmethod
    def _label(m: Manifest) -> str:
        trailer = f" · {m.trailer}" if m.trailer else ""
        return f"{carrier_label(m.carrier, m.service or None)}{trailer}"

    def _arrive(self, dock: str) -> Screen:
        """At a dock: its one open manifest, a choice of several, or a carrier for a new one."""
        open_ = self._open_at(dock)
        self.st.at_dock(dock)
        if len(open_) == 1:
            self.m = open_[0]
            self.st.on(open_[0].manifest_id)
            self.keep()
            return self._manifest_screen()
        if open_:
            self.st.step, self.st.choices = Step.CHOOSE, [m.manifest_id for m in open_]
        else:
            self.st.step = Step.CARRIER
            self.st.choices = [pair for pair, _, _ in self._carriers()]
        return self._arrival_screen()

    def _carriers(self) -> list[tuple[list[str], str, int | None]]:
        """([carrier, service], label, packages waiting) offered for a new manifest: the
        carriers of what waits, most first, then the configured ones (any service)."""
        offered: list[tuple[list[str], str, int | None]] = [
            ([carrier, service], carrier_label(carrier, service or None), count)
            for carrier, service, count in store.carriers_waiting()
        ]
        known = {pair[0] for pair, _, _ in offered}
        for carrier in self.settings.carriers:
            if carrier not in known:
                offered.append(([carrier, ""], carrier_label(carrier, None), None))
        return offered

    # -- inputs ----------------------------------------------------------------------------

    def handle(self, inp: FloorInput) -> Screen:
        if inp.action in ("next", "other_dock"):
            self.m = None
            self.st.at_dock(None)
            self.st.closed = None
            return self.render()
        if inp.action is not None:
            return self._action(inp.action, inp.value)
        scan = inp.decoded if inp.decoded is not None else decode(inp.scan or "")
        if isinstance(scan, DecodeError):
            return self.error(scan.message)
        return self._scan(scan)

    def _scan(self, scan: Scan) -> Screen:
        step = self.st.step
        if self.m is None or step is Step.CLOSED:
            return self._dock_scanned(scan)
        if step in (Step.LOAD, Step.UNLOAD):
            return self._package_scanned(scan, unload=step is Step.UNLOAD)
        if step in SPLIT_STEPS:
            return self.approval().scanned(scan)
        if step is Step.SEAL:
            return self._close(scan.text)
        return self.error("Choose one of the buttons")

    def _dock_scanned(self, scan: Scan) -> Screen:
        dock = docks.dock_of(scan.text)
        st = self.st
        if st.step is Step.CONFIRM and st.carrier:
            if dock is None and _trailer_id(scan):  # the trailer's id, before the dock again
                st.trailer = scan.text
                return self.ok(f"Trailer {scan.text}: scan {st.dock} again to open the manifest")
            if dock is None or dock.code != st.dock:
                return self.error(f"Scan {st.dock} again to confirm, or go Back")
            carrier, service = st.carrier
            cmd = manifests.CreateManifest(carrier, dock.code, service or "any", st.trailer)
            self.m = manifests.create(cmd, f"operator:{self.badge}", self.ctx.unit)
            st.on(self.m.manifest_id)
            return self.ok(
                f"Manifest {self.m.manifest_id} opened for {carrier_label(carrier, service)}"
            )
        if dock is None:
            if scan.sscc:
                return self.error("Scan the dock first, then the packages")
            return self.error(f"{scan.text} is not a dock: scan the dock you load at")
        st.closed = None
        return self._arrive(dock.code)

    def _package_scanned(self, scan: Scan, unload: bool) -> Screen:
        m = self.m
        assert m is not None
        if not scan.sscc:
            return self.error(f"{scan.text} is not a package label: scan its SSCC")
        m = self.m = hot.manifest_or_404(m.manifest_id, lock="share").model()
        if m.status != "open":
            return self.render()
        waits = door_refusal(
            docks.door_facts(self.site, m.dock.code), self.settings.offline_allowed(m.dock.code)
        )
        if waits:
            return self.error(waits)
        found = hot.package_facts(scan.sscc, lock=True)
        facts, package = found if found is not None else (None, None)
        rules_say = unload_refusal if unload else load_refusal
        refusal = rules_say(facts, store.facts_of(m), scan.sscc)
        if refusal is not None:
            if refusal.put_back and facts is not None:
                manifests.refused_for_put_back(m, facts, refusal, self.ctx.unit)
            return self.error(refusal.message)
        assert facts is not None and package is not None
        if unload:
            manifests.unload(m, facts, package, self.ctx.unit)
            self.st.step, self.st.last = Step.LOAD, None
            return self.ok(f"Unloaded {facts.sscc} (order {facts.order})")
        manifests.load(m, facts, package, f"operator:{self.badge}", self.ctx.unit)
        loaded, total = hot.order_progress(m, package.order_id)
        self.st.last = {"sscc": facts.sscc, "order": facts.order, "order_loaded": loaded,
                        "order_total": total}  # fmt: skip
        return self.ok(f"Loaded {facts.sscc}: order {facts.order}, {loaded} of {total}")

    def _action(self, action: str, value: Any) -> Screen:
        st = self.st
        if self.m is None:
            return self._arrival_action(action)
        if action == "unload" and st.step in (Step.LOAD, Step.BLOCKED):
            st.step = Step.UNLOAD
            return self.ok("Scan the package you take off")
        if action == "progress" and st.step is Step.LOAD:
            st.step = Step.PROGRESS
            return self.render()
        if action == "close" and st.step in (Step.LOAD, Step.PROGRESS):
            st.step = Step.BLOCKED  # shown as the seal screen when nothing blocks
            return self.render()
        if action == "back" and st.step in (Step.UNLOAD, Step.PROGRESS, Step.BLOCKED, Step.SEAL):
            st.step = Step.LOAD
            return self.render()
        if st.step is Step.BLOCKED and action == "split":
            return self.approval().start()
        if st.step in SPLIT_STEPS:
            return self.approval().action(action, value)
        if st.step is Step.SEAL and action == "key_seal":
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                return self.error("Key the seal number (digits)")
            return self._close(str(value))
        if st.step is Step.SEAL and action == "no_seal" and not self.settings.seal_required:
            return self._close(None)
        return self.error(f"{action} is not possible here")

    def _arrival_action(self, action: str) -> Screen:
        st = self.st
        if st.step is Step.CHOOSE and action.startswith("manifest_"):
            chosen = _index(action, "manifest_", st.choices)
            m = Manifest.get_or_none(Manifest.manifest_id == chosen) if chosen else None
            if m is None or m.status != "open":
                return self.error("That manifest is no longer open: choose again")
            self.m = m
            st.on(m.manifest_id)
            return self.ok(f"Loading {self._label(m)}")
        if st.step is Step.CHOOSE and action == "new":
            st.step = Step.CARRIER
            st.choices = [pair for pair, _, _ in self._carriers()]
            return self.render()
        if st.step is Step.CARRIER and action.startswith("carrier_"):
            chosen = _index(action, "carrier_", st.choices)
            if chosen is None:
                return self.error("Choose a carrier")
            st.step, st.carrier = Step.CONFIRM, list(chosen)
            return self.ok(f"Scan {st.dock} again to confirm")
        if st.step is Step.CONFIRM and action == "back":
            st.step, st.carrier = Step.CARRIER, None
            return self.render()
        return self.error(f"{action} is not possible here")

    # -- closing -----------------------------------------------------------------------------

    def approval(self) -> Approval:
        return Approval(self)

    def _close(self, seal: str | None) -> Screen:
        assert self.m is not None
        m = self.m = store.manifest(self.m.manifest_id, lock="update")
        found = problems(m, seal, self.settings.seal_required)
        if found:
            if all(p.kind == "seal" for p in found):
                return self.error(found[0].message)
            self.st.step = Step.BLOCKED
            return self.error(found[0].said)
        try:
            done = close(m, seal, f"operator:{self.badge}", self.ctx.unit, False)
        except Conflict as exc:  # pragma: no cover - the problems above said it may close
            return self.error(exc.detail)
        self.st.step = Step.CLOSED
        self.st.closed = {k: done[k] for k in ("id", "carrier", "dock", "seal", "totals")}
        self.m = None
        self.keep()
        return screens.closed(self.st.closed).with_feedback(
            "ok", "Manifest closed: the OMS is told"
        )


def _trailer_id(scan: Scan) -> bool:
    """A plain code that may name a trailer or vehicle (not a product, package or place)."""
    plain = scan.kind == "plain" and bool(TRAILER.match(scan.text))
    return plain and location_of(scan.text) is None


def _index(action: str, prefix: str, choices: list[Any]) -> Any:
    raw = action.removeprefix(prefix)
    if not raw.isdigit() or int(raw) >= len(choices):
        return None
    return choices[int(raw)]
