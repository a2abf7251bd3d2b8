"""Where a picker is inside one pick task: a typed step and its scratch, kept with the
session (`ctx.state["pick"]`) between inputs.

    LOCATION ──scan location──► PRODUCT ──scan units──► QUANTITY ──all counted──► TOTE
        │                          │  (count < remaining)  │                       │
        └──────── short ───────────┴──► SHORT_REASON ◄─────┘        scan the tote: done
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Step(StrEnum):
    LOCATION = "location"  # go to the task's location and scan it
    PRODUCT = "product"  # scan the first unit
    QUANTITY = "quantity"  # scan (or key) the rest
    TOTE = "tote"  # put the counted units in the order's tote
    SHORT_REASON = "short_reason"  # say why the pick is short


# The steps at which units may still be counted (a light press confirms them all).
COUNTING = frozenset({Step.LOCATION, Step.PRODUCT, Step.QUANTITY})


@dataclass
class TaskState:
    task: int
    step: Step = Step.LOCATION
    count: int = 0
    serials: list[str] = field(default_factory=list)
    short: str = ""  # the short reason once chosen, while the counted part goes in the tote
    back: Step | None = None  # where "back" returns to from SHORT_REASON

    @classmethod
    def of(cls, raw: dict[str, Any] | None, task_id: int) -> TaskState:
        """The state saved with the session, or a fresh one when it is another task's."""
        if not raw or raw.get("task") != task_id:
            return cls(task_id)
        back = raw.get("back")
        return cls(
            task=task_id,
            step=Step(raw.get("step", Step.LOCATION)),
            count=int(raw.get("count", 0)),
            serials=list(raw.get("serials", [])),
            short=str(raw.get("short", "")),
            back=Step(back) if back else None,
        )

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "task": self.task,
            "step": self.step.value,
            "count": self.count,
            "serials": list(self.serials),
            "short": self.short,
        }
        if self.back is not None:
            data["back"] = self.back.value
        return data
