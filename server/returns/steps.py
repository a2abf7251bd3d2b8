"""Where a returns clerk is in the returns flow: a typed step and its scratch, kept with
the session (`ctx.state["returns"]`). Durable truth (the RMA, its units, their grading
once done) is in the returns tables; this is only where the clerk is and the answers given
so far to the unit being graded.

    FIND ─scan RMA / order / package─► UNIT ─scan a unit─► GRADE ─last answer─► PUT_AWAY
     │  ▲        several RMAs: CHOOSE   ▲ │                 (one tap per question)   │
     │  │        no RMA: UNANNOUNCED    │ └─close with missing─► CONFIRM_MISSING      │
     │  └──────────── DONE ◄── every unit expected received ◄──── scan the target ───┘
     └─ no RMA and not allowed: ASIDE (a supervisor is told)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Step(StrEnum):
    FIND = "find"
    CHOOSE = "choose"  # the order has several open RMAs
    UNANNOUNCED = "unannounced"  # no RMA: open one, or put the parcel aside
    ASIDE = "aside"  # put the parcel aside for the supervisor
    UNIT = "unit"  # scan the next unit of the parcel
    GRADE = "grade"  # answer the questions about the unit
    PUT_AWAY = "put_away"  # take it to its target and scan the location
    CONFIRM_MISSING = "confirm_missing"  # close with units missing?
    DONE = "done"


@dataclass
class ReturnsState:
    step: Step = Step.FIND
    rma: int | None = None  # the RMA being received (its row id)
    order: int | None = None  # the order found, while choosing or opening an RMA
    choices: list[int] = field(default_factory=list)  # open RMAs of the order (row ids)
    unit: int | None = None  # the unit being graded or put away (ReturnUnit id)
    tree: str | None = None  # the grading tree of the unit
    root: dict[str, Any] | None = None  # ... as it was when grading began
    answers: list[str] = field(default_factory=list)  # answer ids given so far
    done: dict[str, Any] | None = None  # the RMA just closed, for returns.done

    @classmethod
    def of(cls, raw: dict[str, Any] | None) -> ReturnsState:
        if not raw:
            return cls()
        data = dict(raw)
        data["step"] = Step(data.get("step", Step.FIND))
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})

    def to_json(self) -> dict[str, Any]:
        """Field by field, not `asdict`: it deep-copies the grading tree on every input."""
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["step"] = self.step.value
        return data

    def unit_done(self) -> None:
        self.step, self.unit, self.tree, self.root, self.answers = Step.UNIT, None, None, None, []

    def next_parcel(self) -> None:
        self.__init__()  # type: ignore[misc]
