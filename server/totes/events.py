"""The totes' events (server/events.py): a tote registered. What flows do with totes
(assigned to an order, put back) is recorded by the flows' own events."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from server.events import DomainEvent


@dataclass(frozen=True)
class ToteRegistered(DomainEvent):
    type: ClassVar[str] = "tote.registered"
    code: str

    @property
    def subject(self) -> str:
        return f"tote:{self.code}"

    @property
    def data(self) -> dict[str, Any]:
        return {"code": self.code}


EVENTS = (ToteRegistered,)
