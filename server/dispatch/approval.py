"""A supervisor approves a split shipment at the dispatcher's handheld: their badge, their
PIN (counted and locked out as a login's is), the reason; every order on the manifest still
missing packages is then allowed to leave without them, and the dispatcher goes on to the
seal (docs/dispatch.md, "Split shipments")."""

from __future__ import annotations

from typing import Any, Protocol

from devices.barcode import Scan
from server.dispatch import manifests, screens, store
from server.dispatch.closing import problems
from server.dispatch.steps import DispatchState, Step
from server.floor.auth import verify_pin
from server.floor.flow import FlowContext, Screen
from server.floor.sessions import pin_attempt
from server.models import FloorOperator
from server.models.dispatch import Manifest


class Host(Protocol):
    """What the approval needs of the flow's input (server/dispatch/inputs.py `Dispatch`)."""

    ctx: FlowContext
    site: Any
    st: DispatchState
    m: Manifest | None

    @property
    def badge(self) -> str: ...

    def error(self, message: str) -> Screen: ...

    def ok(self, message: str, level: Any = "ok") -> Screen: ...

    def render(self) -> Screen: ...


class Approval:
    def __init__(self, flow: Host) -> None:
        self.flow = flow
        self.st = flow.st

    def _incomplete(self) -> list[str]:
        assert self.flow.m is not None
        found = problems(self.flow.m, None, False)
        return [p.order for p in found if p.kind == "incomplete" and p.order]

    def screen(self, on: screens.OnManifest) -> Screen:
        step = self.st.step
        if step is Step.SPLIT_PIN:
            return screens.split_pin(on, self.st.supervisor or "")
        if step is Step.SPLIT_REASON:
            return screens.split_reason(on, [o for o in self._incomplete() if o])
        return screens.split_badge(on)

    def start(self) -> Screen:
        assert self.flow.m is not None
        found = problems(self.flow.m, None, False)
        if not found or any(p.kind != "incomplete" for p in found):
            return self.flow.error("Only orders missing packages can be split: fix the rest")
        self.st.step, self.st.supervisor = Step.SPLIT_BADGE, None
        return self.flow.ok("A supervisor approves the split")

    def scanned(self, scan: Scan) -> Screen:
        if self.st.step is not Step.SPLIT_BADGE:
            return self.flow.error("Choose one of the buttons")
        row = FloorOperator.get_or_none(
            (FloorOperator.badge == scan.text) & (FloorOperator.active == True)  # noqa: E712
        )
        if row is None or "supervisor" not in row.roles:
            return self.flow.error("That is not a supervisor's badge")
        if row.badge == self.flow.badge:
            return self.flow.error("Another supervisor must approve a split you load")
        self.st.step, self.st.supervisor = Step.SPLIT_PIN, row.badge
        return self.flow.ok(f"{row.name}: type your PIN")

    def action(self, action: str, value: Any) -> Screen:
        step = self.st.step
        if action == "back":
            self.st.step, self.st.supervisor = Step.BLOCKED, None
            return self.flow.render()
        if step is Step.SPLIT_PIN and action == "pin":
            return self._pin(value)
        if step is Step.SPLIT_REASON and action.startswith("reason_"):
            return self._approve(action.removeprefix("reason_"))
        return self.flow.error(f"{action} is not possible here")

    def _pin(self, value: Any) -> Screen:
        ctx = self.flow.ctx
        badge = self.st.supervisor or ""
        row = FloorOperator.get_or_none(FloorOperator.badge == badge)
        pin_ok = row is not None and row.active and verify_pin(row.pin_hash, str(value or ""))
        floor = self.flow.site.section("floor")
        decision = pin_attempt(badge, pin_ok, ctx.device_id, floor.lockout_attempts,
                               floor.lockout_window_s, ctx.unit)  # fmt: skip
        if decision != "ok":
            self.st.step, self.st.supervisor = Step.SPLIT_BADGE, None
            if decision in ("lock_now", "locked"):
                return self.flow.error(
                    f"Badge {badge} is locked after wrong PINs: ask another supervisor"
                )
            return self.flow.error("Wrong PIN: scan the supervisor badge again")
        self.st.step = Step.SPLIT_REASON
        return self.flow.ok("Choose the reason")

    def _approve(self, reason: str) -> Screen:
        label = screens.SPLIT_REASONS.get(reason)
        if label is None:
            return self.flow.error("Choose why")
        m = self.flow.m = store.manifest(self.flow.m.manifest_id, lock="update")  # type: ignore[union-attr]
        orders = self._incomplete()
        by = f"operator:{self.st.supervisor}"
        for order in orders:
            manifests.approve_split(m, order, by, label, self.flow.ctx.unit)
        self.st.step, self.st.supervisor = Step.SEAL, None
        return self.flow.ok(f"Split approved for {', '.join(orders)}: seal the trailer")
