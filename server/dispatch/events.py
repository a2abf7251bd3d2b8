"""The dispatch area's events (server/events.py). A manifest's own events have the manifest
as subject (`manifest:<id>`): created, a package loaded or unloaded, a split approved,
closed, cancelled. `order.dispatched` has the order as subject, so it follows the order's
`order.packed` in the order's sequence."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from server.events import DomainEvent
from server.orders.events import subject as order_subject


def manifest_subject(manifest_id: str) -> str:
    return f"manifest:{manifest_id}"


@dataclass(frozen=True)
class ManifestEvent(DomainEvent):
    manifest_id: str

    @property
    def subject(self) -> str:
        return manifest_subject(self.manifest_id)


@dataclass(frozen=True)
class ManifestCreated(ManifestEvent):
    """A carrier's pickup at a dock is planned: packages can be loaded onto it."""

    type: ClassVar[str] = "manifest.created"
    manifest: dict[str, Any]  # the manifest's summary (server/dispatch/views.py)

    @property
    def data(self) -> dict[str, Any]:
        return self.manifest


@dataclass(frozen=True)
class LoadEvent(ManifestEvent):
    sscc: str
    order: str  # the order's external id
    dock: str

    def base(self) -> dict[str, Any]:
        return {
            "manifest": self.manifest_id,
            "sscc": self.sscc,
            "order": self.order,
            "dock": self.dock,
        }


@dataclass(frozen=True)
class PackageLoaded(LoadEvent):
    """A package was scanned onto the manifest's trailer."""

    type: ClassVar[str] = "manifest.package_loaded"
    loaded: int  # packages on the manifest now

    @property
    def data(self) -> dict[str, Any]:
        return self.base() | {"loaded": self.loaded}


@dataclass(frozen=True)
class PackageUnloaded(LoadEvent):
    """A package scanned by mistake (or of a cancelled order) was taken off again."""

    type: ClassVar[str] = "manifest.package_unloaded"
    loaded: int

    @property
    def data(self) -> dict[str, Any]:
        return self.base() | {"loaded": self.loaded}


@dataclass(frozen=True)
class SplitApproved(ManifestEvent):
    """A supervisor let an order leave on this manifest without all its packages."""

    type: ClassVar[str] = "manifest.split_approved"
    order: str
    approved_by: str
    reason: str
    loaded: list[str]  # the order's SSCCs on this manifest
    left_behind: list[str]  # those that stay

    @property
    def data(self) -> dict[str, Any]:
        return {
            "manifest": self.manifest_id,
            "order": self.order,
            "approved_by": self.approved_by,
            "reason": self.reason,
            "loaded": self.loaded,
            "left_behind": self.left_behind,
        }


@dataclass(frozen=True)
class ManifestClosed(ManifestEvent):
    """The trailer is sealed: the whole manifest, every package and order on it."""

    type: ClassVar[str] = "manifest.closed"
    manifest: dict[str, Any]

    @property
    def data(self) -> dict[str, Any]:
        return self.manifest


@dataclass(frozen=True)
class ManifestCancelled(ManifestEvent):
    """A manifest with nothing loaded was called off."""

    type: ClassVar[str] = "manifest.cancelled"
    reason: str

    @property
    def data(self) -> dict[str, Any]:
        return {"manifest": self.manifest_id, "reason": self.reason}


@dataclass(frozen=True)
class OrderDispatched(DomainEvent):
    """The order left the building: the order view (status `dispatched`, lines with
    `shipped`) with the manifest, carrier, dock, trailer, seal, time and its packages."""

    type: ClassVar[str] = "order.dispatched"
    order: dict[str, Any]  # the order view (server/orders/views.py)
    dispatch: dict[str, Any]  # manifest, dock, carrier, ..., packages, complete, split

    @property
    def subject(self) -> str:
        return order_subject(self.order["external_id"])

    @property
    def data(self) -> dict[str, Any]:
        return self.order | self.dispatch


EVENTS: list[type[DomainEvent]] = [
    ManifestCreated,
    PackageLoaded,
    PackageUnloaded,
    SplitApproved,
    ManifestClosed,
    ManifestCancelled,
    OrderDispatched,
]
