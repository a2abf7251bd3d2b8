"""Finding the return a parcel belongs to, from what the clerk scans: an RMA id, an order
id, or the SSCC or tracking reference of the package we shipped (docs/returns.md,
"Finding the return"). Reads only."""

from __future__ import annotations

from dataclasses import dataclass, field

from devices.barcode import Scan
from server.models import Order, Package, PackageItem, Product, Rma
from server.models.orders import OrderStatus

# An order whose units left the building: a parcel of it can come back.
SHIPPED = (OrderStatus.PACKED, OrderStatus.DISPATCHED)


@dataclass(frozen=True)
class Found:
    """What a scan names: the open RMAs of one order (none: a parcel without an RMA)."""

    order: Order
    rmas: list[Rma] = field(default_factory=list)
    closed: list[Rma] = field(default_factory=list)  # its RMAs already closed


def find(scan: Scan) -> Found | str:
    """The order and its open RMAs the scan names, or what to tell the clerk."""
    text = scan.text
    rma = Rma.get_or_none(Rma.rma_id == text)
    if rma is not None:
        order = Order.get_by_id(rma.order_id)
        if rma.status == "closed":
            return Found(order, [], [rma])
        return Found(order, [rma])
    named: Order | None = Order.get_or_none(Order.external_id == text)
    if named is None:
        named = _order_of_package(scan)
    if named is None:
        return f"{text} is not an RMA, an order or a package we shipped"
    rmas = list(Rma.select().where(Rma.order == named).order_by(Rma.id))
    return Found(
        named,
        [r for r in rmas if r.status != "closed"],
        [r for r in rmas if r.status == "closed"],
    )


def _order_of_package(scan: Scan) -> Order | None:
    sscc = scan.sscc or (scan.text if len(scan.text) == 18 and scan.text.isdigit() else None)
    package = None
    if sscc is not None:
        package = Package.get_or_none(Package.sscc == sscc)
    if package is None:
        package = Package.get_or_none(Package.tracking == scan.text)
    return Order.get_by_id(package.order_id) if package is not None else None


@dataclass(frozen=True)
class Shipped:
    """What left on an order, for one product: its lots (with their expiry) and serials."""

    qty: int = 0
    lots: dict[str, str | None] = field(default_factory=dict)  # lot -> expiry (ISO) or None
    serials: frozenset[str] = frozenset()


def shipped(order_id: int, product_id: int) -> Shipped:
    """The units of the product packed for the order (packages not voided)."""
    items = (
        PackageItem.select(PackageItem)
        .join(Package)
        .where(
            Package.order == order_id,
            Package.status != "voided",
            PackageItem.product == product_id,
        )
    )
    qty, lots, serials = 0, {}, set[str]()
    for item in items:
        qty += item.qty
        if item.lot:
            lots[item.lot] = item.expiry.isoformat() if item.expiry else None
        serials.update(item.serials or [])
    return Shipped(qty, lots, frozenset(serials))


def product(product_id: int) -> Product:
    return Product.get_by_id(product_id)
