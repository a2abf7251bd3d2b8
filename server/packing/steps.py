"""Where a packer is in the pack flow: a typed step and its scratch, kept with the session
(`ctx.state["pack"]`). Durable truth (the job, its packages, what is verified into them)
is in the packing tables; this is only where the packer is and what the scale showed.

    TOTE ─scan tote/order─► BOX ─take / scan a box─► VERIFY ─all units in─► WEIGH ─► LABEL
                             ▲      "new package"      │                     │  ▲     │
                             └─────────────────────────┘    out of tolerance ▼  │   scan the
                                                        OVERRIDE (badge, PIN, reason)  SSCC
                                                                                 next package
                                                                                 or DONE
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Step(StrEnum):
    TOTE = "tote"  # scan a tote from the pack zone (or an order id)
    BOX = "box"  # take the suggested box, or scan another one
    VERIFY = "verify"  # scan every unit into the open package
    SHORT_REASON = "short_reason"  # why units are missing or damaged
    WEIGH = "weigh"  # the package on the scale
    MISMATCH = "mismatch"  # out of tolerance: re-check, or a supervisor approves
    OVERRIDE_BADGE = "override_badge"  # a supervisor scans their badge
    OVERRIDE_PIN = "override_pin"  # ... types their PIN
    OVERRIDE_REASON = "override_reason"  # ... and says why
    LABEL = "label"  # label printed: scan its SSCC on the box
    DONE = "done"  # the order is packed


OVERRIDE_STEPS = frozenset({Step.OVERRIDE_BADGE, Step.OVERRIDE_PIN, Step.OVERRIDE_REASON})
READINGS_KEPT = 20


@dataclass
class PackState:
    step: Step = Step.TOTE
    job: int | None = None
    package: int | None = None  # the package being filled, weighed or labelled
    last_item: int | None = None  # the tote item of the last unit scanned (for a count)
    readings: list[dict[str, Any]] = field(default_factory=list)  # {grams, stable, at, seq}
    seq: int = 0  # the station scale's readings seen by this session
    weigh_at: str | None = None  # when the weigh step of `package` began (ISO time)
    weigh_seq: int = 0
    previous_seq: int | None = None  # the reading that counted for the previous package
    supervisor: str | None = None  # the badge scanned for an override
    done: dict[str, Any] | None = None  # the last order packed, for pack.done

    @classmethod
    def of(cls, raw: dict[str, Any] | None) -> PackState:
        if not raw:
            return cls()
        data = dict(raw)
        data["step"] = Step(data.get("step", Step.TOTE))
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["step"] = self.step.value
        return data

    def add_reading(self, grams: float, stable: bool, at: str) -> None:
        self.seq += 1
        self.readings.append({"grams": grams, "stable": stable, "at": at, "seq": self.seq})
        del self.readings[:-READINGS_KEPT]

    def next_order(self) -> None:
        """Back to the start for the next order (the scale's readings are kept)."""
        self.step, self.job, self.package, self.last_item = Step.TOTE, None, None, None
        self.weigh_at, self.supervisor, self.previous_seq = None, None, self.previous_seq
