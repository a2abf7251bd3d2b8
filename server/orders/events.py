"""The orders' events (server/events.py): accepted (or backordered), cancelled, held and
released. Their subject is the order (`order:<external_id>`); accepted, backordered and
cancelled carry the order view of the API (server/orders/views.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from server.events import DomainEvent


def subject(external_id: str) -> str:
    return f"order:{external_id}"


@dataclass(frozen=True)
class OrderViewEvent(DomainEvent):
    order: dict[str, Any]  # order_view (server/orders/views.py)

    @property
    def subject(self) -> str:
        return subject(self.order["external_id"])

    @property
    def data(self) -> dict[str, Any]:
        return self.order


@dataclass(frozen=True)
class OrderAccepted(OrderViewEvent):
    """Accepted with all its stock allocated."""

    type: ClassVar[str] = "order.accepted"


@dataclass(frozen=True)
class OrderBackordered(OrderViewEvent):
    """Accepted without enough stock: what is missing per line."""

    type: ClassVar[str] = "order.backordered"
    missing: list[dict[str, Any]]  # [{line_id, sku, qty}]

    @property
    def data(self) -> dict[str, Any]:
        return self.order | {"missing": self.missing}


@dataclass(frozen=True)
class OrderCancelled(OrderViewEvent):
    type: ClassVar[str] = "order.cancelled"
    reason: str

    @property
    def data(self) -> dict[str, Any]:
        return self.order | {"reason": self.reason}


@dataclass(frozen=True)
class OrderHeld(DomainEvent):
    """Held back from picking (a supervisor's hold, or waiting for a wave)."""

    type: ClassVar[str] = "order.held"
    external_id: str
    reason: str

    @property
    def subject(self) -> str:
        return subject(self.external_id)

    @property
    def data(self) -> dict[str, Any]:
        return {"external_id": self.external_id, "held": True, "reason": self.reason}


@dataclass(frozen=True)
class OrderReleased(DomainEvent):
    type: ClassVar[str] = "order.released"
    external_id: str

    @property
    def subject(self) -> str:
        return subject(self.external_id)

    @property
    def data(self) -> dict[str, Any]:
        return {"external_id": self.external_id, "held": False}


EVENTS = (OrderAccepted, OrderBackordered, OrderCancelled, OrderHeld, OrderReleased)
