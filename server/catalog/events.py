"""The catalogue's events (server/events.py): products and locations as upserted."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from server.events import DomainEvent


@dataclass(frozen=True)
class ProductUpserted(DomainEvent):
    type: ClassVar[str] = "product.upserted"
    product: dict[str, Any]  # product_view (server/catalog/handlers.py)

    @property
    def subject(self) -> str:
        return f"sku:{self.product['sku']}"

    @property
    def data(self) -> dict[str, Any]:
        return self.product


@dataclass(frozen=True)
class LocationUpserted(DomainEvent):
    type: ClassVar[str] = "location.upserted"
    location: dict[str, Any]  # location_view (server/catalog/handlers.py)

    @property
    def subject(self) -> str:
        return f"location:{self.location['code']}"

    @property
    def data(self) -> dict[str, Any]:
        return self.location


EVENTS = (ProductUpserted, LocationUpserted)
