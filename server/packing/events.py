"""The packing area's events (server/events.py). A pack job's and a package's events have
the order as subject (`order:<external_id>`), so they keep the order's sequence with its
picking and dispatch; the catalogue's have the box or the rules as subject."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from server.events import DomainEvent
from server.orders.events import subject as order_subject


@dataclass(frozen=True)
class OrderEvent(DomainEvent):
    external_id: str

    @property
    def subject(self) -> str:
        return order_subject(self.external_id)


@dataclass(frozen=True)
class PackStarted(OrderEvent):
    """A packer took the order's tote at a station: the order is `packing`."""

    type: ClassVar[str] = "order.packing"
    tote: str | None
    station: str | None
    packer: str
    plan: list[dict[str, Any]]  # the suggested boxes

    @property
    def data(self) -> dict[str, Any]:
        return {
            "external_id": self.external_id,
            "status": "packing",
            "tote": self.tote,
            "station": self.station,
            "packer": self.packer,
            "plan": self.plan,
        }


@dataclass(frozen=True)
class PackageEvent(OrderEvent):
    package: int  # n of the order's packages

    def base(self) -> dict[str, Any]:
        return {"external_id": self.external_id, "package": self.package}


@dataclass(frozen=True)
class PackageOpened(PackageEvent):
    type: ClassVar[str] = "package.opened"
    box: str
    suggested: bool

    @property
    def data(self) -> dict[str, Any]:
        return self.base() | {"box": self.box, "suggested": self.suggested}


@dataclass(frozen=True)
class PackageClosed(PackageEvent):
    """The packer closed the package to fill another (it is weighed once all are in)."""

    type: ClassVar[str] = "package.closed"
    box: str
    units: int

    @property
    def data(self) -> dict[str, Any]:
        return self.base() | {"box": self.box, "units": self.units}


@dataclass(frozen=True)
class UnitsVerified(PackageEvent):
    """Units scanned (or counted) into a package: checked against what was picked."""

    type: ClassVar[str] = "package.units_verified"
    sku: str
    qty: int
    lot: str | None = None
    serials: tuple[str, ...] = ()

    @property
    def data(self) -> dict[str, Any]:
        data = self.base() | {"sku": self.sku, "qty": self.qty}
        if self.lot:
            data["lot"] = self.lot
        if self.serials:
            data["serials"] = list(self.serials)
        return data


@dataclass(frozen=True)
class UnitsMoved(PackageEvent):
    type: ClassVar[str] = "package.units_moved"
    sku: str
    qty: int
    to_package: int

    @property
    def data(self) -> dict[str, Any]:
        return self.base() | {"sku": self.sku, "qty": self.qty, "to_package": self.to_package}


@dataclass(frozen=True)
class PackageWeighed(PackageEvent):
    type: ClassVar[str] = "package.weighed"
    weight_g: int
    expected_weight_g: int
    allowed_g: int
    source: str  # scale | manual | override
    device: str | None
    within: bool

    @property
    def data(self) -> dict[str, Any]:
        return self.base() | {
            "weight_g": self.weight_g,
            "expected_weight_g": self.expected_weight_g,
            "allowed_g": self.allowed_g,
            "source": self.source,
            "device": self.device,
            "within": self.within,
        }


@dataclass(frozen=True)
class WeightOverridden(PackageEvent):
    """A supervisor approved a package outside the weight tolerance, at the station."""

    type: ClassVar[str] = "package.weight_overridden"
    supervisor: str
    reason: str
    weight_g: int
    expected_weight_g: int

    @property
    def data(self) -> dict[str, Any]:
        return self.base() | {
            "supervisor": self.supervisor,
            "reason": self.reason,
            "weight_g": self.weight_g,
            "expected_weight_g": self.expected_weight_g,
        }


@dataclass(frozen=True)
class PackageLabelled(PackageEvent):
    type: ClassVar[str] = "package.labelled"
    sscc: str
    carrier: str
    service: str
    chosen_by: str  # "oms" or the carrier rule's id
    printer: str | None
    reprint: bool = False

    @property
    def data(self) -> dict[str, Any]:
        return self.base() | {
            "sscc": self.sscc,
            "carrier": self.carrier,
            "service": self.service,
            "chosen_by": self.chosen_by,
            "printer": self.printer,
            "reprint": self.reprint,
        }


@dataclass(frozen=True)
class LabelConfirmed(PackageEvent):
    """The packer scanned the printed SSCC on the box: the label is on the right box."""

    type: ClassVar[str] = "package.label_confirmed"
    sscc: str

    @property
    def data(self) -> dict[str, Any]:
        return self.base() | {"sscc": self.sscc}


@dataclass(frozen=True)
class PackagesEvent(OrderEvent):
    ssccs: list[str]
    reason: str

    @property
    def data(self) -> dict[str, Any]:
        return {"external_id": self.external_id, "ssccs": self.ssccs, "reason": self.reason}


@dataclass(frozen=True)
class PackagesVoided(PackagesEvent):
    """The order's open packages and their labels are void (cancelled, or short at pack)."""

    type: ClassVar[str] = "package.voided"


@dataclass(frozen=True)
class PackagesFlagged(PackagesEvent):
    """The order was cancelled after packing: dispatch refuses its packages."""

    type: ClassVar[str] = "package.flagged"


@dataclass(frozen=True)
class PackShort(OrderEvent):
    """Units missing or damaged at the pack station: the order is held for a supervisor."""

    type: ClassVar[str] = "order.short_packed"
    reason: str
    lines: list[dict[str, Any]]  # [{line_id, sku, qty}] what is not packed
    tote: str | None

    @property
    def data(self) -> dict[str, Any]:
        return {
            "external_id": self.external_id,
            "reason": self.reason,
            "lines": self.lines,
            "tote": self.tote,
        }


@dataclass(frozen=True)
class OrderPacked(OrderEvent):
    """The order is packed: its packages, with SSCC, box, weights, carrier and lines."""

    type: ClassVar[str] = "order.packed"
    order: dict[str, Any]  # the order view
    packages: list[dict[str, Any]]

    @property
    def data(self) -> dict[str, Any]:
        return self.order | {"packages": self.packages}


@dataclass(frozen=True)
class BoxesUpserted(DomainEvent):
    type: ClassVar[str] = "boxes.updated"
    created: list[str]
    updated: list[str]

    @property
    def subject(self) -> str:
        return "catalog:boxes"

    @property
    def data(self) -> dict[str, Any]:
        return {"created": self.created, "updated": self.updated}


@dataclass(frozen=True)
class CarrierRulesReplaced(DomainEvent):
    type: ClassVar[str] = "carrier_rules.replaced"
    rules: list[dict[str, Any]]

    @property
    def subject(self) -> str:
        return "catalog:carrier-rules"

    @property
    def data(self) -> dict[str, Any]:
        return {"rules": self.rules}


@dataclass(frozen=True)
class PackReleased(OrderEvent):
    """A supervisor handed the order's pack job back (its packer left mid-pack): the next
    packer who scans its tote takes it over where it stood (order.packing again)."""

    type: ClassVar[str] = "order.pack_released"
    packer: str  # who had it
    station: str | None
    reason: str

    @property
    def data(self) -> dict[str, Any]:
        return {
            "external_id": self.external_id,
            "packer": self.packer,
            "station": self.station,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class TrackingSet(PackageEvent):
    """The carrier's tracking reference of a labelled package: set at labelling for a
    carrier that tracks by SSCC (`[packing] tracking_is_sscc`), else by the OMS or a
    carrier integration (PUT /api/v1/packages/{sscc}/tracking)."""

    type: ClassVar[str] = "package.tracking_set"
    sscc: str
    tracking: str
    source: str  # "sscc" or "api"

    @property
    def data(self) -> dict[str, Any]:
        return self.base() | {"sscc": self.sscc, "tracking": self.tracking, "source": self.source}


EVENTS: list[type[DomainEvent]] = [
    PackStarted,
    PackageOpened,
    PackageClosed,
    UnitsVerified,
    UnitsMoved,
    PackageWeighed,
    WeightOverridden,
    PackageLabelled,
    TrackingSet,
    LabelConfirmed,
    PackagesVoided,
    PackagesFlagged,
    PackShort,
    PackReleased,
    OrderPacked,
    BoxesUpserted,
    CarrierRulesReplaced,
]
