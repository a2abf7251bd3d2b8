"""The returns' events (server/events.py): an RMA registered by the OMS."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from server.events import DomainEvent


@dataclass(frozen=True)
class ReturnRegistered(DomainEvent):
    type: ClassVar[str] = "return.registered"
    rma: dict[str, Any]  # rma_view (server/returns/handlers.py)

    @property
    def subject(self) -> str:
        return f"rma:{self.rma['rma_id']}"

    @property
    def data(self) -> dict[str, Any]:
        return self.rma


EVENTS = (ReturnRegistered,)
