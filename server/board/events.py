"""The board's events (server/events.py): a supervisor acknowledged an exception (seen, being
handled). Its subject is the exception, so it joins the exception's stream."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from server.events import DomainEvent


@dataclass(frozen=True)
class ExceptionAcknowledged(DomainEvent):
    type: ClassVar[str] = "exception.acknowledged"
    exception_id: str
    kind: str
    by: str
    note: str = ""

    @property
    def subject(self) -> str:
        return f"exception:{self.exception_id}"

    @property
    def data(self) -> dict[str, Any]:
        return {"id": self.exception_id, "kind": self.kind, "by": self.by, "note": self.note}


EVENTS = (ExceptionAcknowledged,)
