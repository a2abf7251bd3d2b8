"""The cold chain's events (server/events.py): the stock of a location held after a
temperature excursion, and released by a supervisor (or moved to quarantine). Subject
`location:<code>`; the data lists the stock rows as they were."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from server.events import DomainEvent


@dataclass(frozen=True)
class HoldEvent(DomainEvent):
    location: str
    reason: str
    stock: list[dict[str, Any]]  # [{sku, lot, on_hand, reserved}]
    exception: str | None = None  # the excursion's exception id

    @property
    def subject(self) -> str:
        return f"location:{self.location}"

    @property
    def data(self) -> dict[str, Any]:
        return {
            "location": self.location,
            "reason": self.reason,
            "exception": self.exception,
            "stock": self.stock,
        }


@dataclass(frozen=True)
class InventoryHeld(HoldEvent):
    type: ClassVar[str] = "inventory.held"


@dataclass(frozen=True)
class InventoryReleased(HoldEvent):
    type: ClassVar[str] = "inventory.released"
    moved_to: str | None = None  # a quarantine location, when the stock was moved there

    @property
    def data(self) -> dict[str, Any]:
        return super().data | {"moved_to": self.moved_to}


EVENTS = (InventoryHeld, InventoryReleased)
