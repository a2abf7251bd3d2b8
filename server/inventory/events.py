"""The inventory's events (server/events.py): a stock row changed by an adjustment.

Other areas that move stock (picking's put-backs and counts) record the same class."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from server.events import DomainEvent


@dataclass(frozen=True)
class InventoryAdjusted(DomainEvent):
    type: ClassVar[str] = "inventory.adjusted"
    stock: dict[str, Any]  # stock_view of the row after the change (server/inventory/stock.py)
    delta: int
    reason: str

    @property
    def subject(self) -> str:
        return f"sku:{self.stock['sku']}"

    @property
    def data(self) -> dict[str, Any]:
        return self.stock | {"delta": self.delta, "reason": self.reason}


EVENTS = (InventoryAdjusted,)
