"""Where a dispatcher is in the dispatch flow: a typed step and its scratch, kept with the
session (`ctx.state["dispatch"]`). Durable truth (manifests, what is loaded, approvals) is in
the dispatch tables; this is only which dock and manifest the dispatcher works on.

    DOCK ─scan a dock─► one open manifest ─────────────────────────────► LOAD ◄─► UNLOAD
                        several: CHOOSE ─pick one─────────────────────────▲ │  ◄─► PROGRESS
                        none (or "new"): CARRIER ─► CONFIRM (scan the dock ┘ │
                                                    again: created)          │ close
                             BLOCKED (orders incomplete) ◄───────────────────┤
                               └─ split: SPLIT_BADGE ─► SPLIT_PIN ─► SPLIT_REASON ─► SEAL
                                                                    SEAL ─seal─► CLOSED
While the dock's door is closed (or its sensor offline) LOAD and UNLOAD show the door and
wait; the door's sensor changes the screen by itself (server/dispatch/doors.py).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Step(StrEnum):
    DOCK = "dock"
    CHOOSE = "choose"
    CARRIER = "carrier"
    CONFIRM = "confirm"
    LOAD = "load"
    UNLOAD = "unload"
    PROGRESS = "progress"
    BLOCKED = "blocked"
    SPLIT_BADGE = "split_badge"
    SPLIT_PIN = "split_pin"
    SPLIT_REASON = "split_reason"
    SEAL = "seal"
    CLOSED = "closed"


SPLIT_STEPS = frozenset({Step.SPLIT_BADGE, Step.SPLIT_PIN, Step.SPLIT_REASON})
ON_MANIFEST = frozenset(
    {Step.LOAD, Step.UNLOAD, Step.PROGRESS, Step.BLOCKED, Step.SEAL, *SPLIT_STEPS}
)


@dataclass
class DispatchState:
    step: Step = Step.DOCK
    dock: str | None = None
    manifest: str | None = None
    # the choices offered on CHOOSE (manifest ids) or CARRIER ([carrier, service]), by index
    choices: list[Any] = field(default_factory=list)
    carrier: list[str] | None = None  # [carrier, service] chosen for a new manifest
    trailer: str | None = None  # the trailer's id scanned before the dock was confirmed
    supervisor: str | None = None  # the badge scanned for a split approval
    last: dict[str, Any] | None = None  # the last package loaded, for the load screen
    closed: dict[str, Any] | None = None  # the manifest just closed, for dispatch.closed

    @classmethod
    def of(cls, raw: dict[str, Any] | None) -> DispatchState:
        if not raw:
            return cls()
        data = dict(raw)
        data["step"] = Step(data.get("step", Step.DOCK))
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["step"] = self.step.value
        return data

    def at_dock(self, dock: str | None) -> None:
        """Back to the start at `dock` (None: scan a dock)."""
        self.step, self.dock, self.manifest = Step.DOCK, dock, None
        self.choices, self.carrier, self.supervisor, self.last = [], None, None, None
        self.trailer = None

    def on(self, manifest: str) -> None:
        self.step, self.manifest, self.choices, self.carrier = Step.LOAD, manifest, [], None
        self.trailer = None
        self.supervisor, self.last, self.closed = None, None, None
