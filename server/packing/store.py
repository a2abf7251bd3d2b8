"""What the pack flow reads: the tote an order waits in at the pack zone, a packer's open
job, and the work of a job (the picked units, the packages and what is in them)."""

from __future__ import annotations

from dataclasses import dataclass, field

from server.models import (
    FloorSession,
    Location,
    Order,
    OrderHold,
    OrderLine,
    Package,
    PackageItem,
    PackJob,
    Product,
    Tote,
    ToteItem,
)
from server.packing.verify import PickedRow


@dataclass
class PackWork:
    job: PackJob
    order: Order
    tote: Tote | None
    rows: list[PickedRow]
    packages: list[Package]
    items: list[PackageItem] = field(default_factory=list)

    def verified(self) -> dict[int, int]:
        """Units verified so far, by tote item."""
        counts: dict[int, int] = {}
        for item in self.items:
            if item.tote_item is not None:
                counts[item.tote_item] = counts.get(item.tote_item, 0) + item.qty
        return counts

    def serials_verified(self) -> frozenset[str]:
        return frozenset(s for item in self.items for s in item.serials)

    def items_of(self, package: Package) -> list[PackageItem]:
        return [i for i in self.items if i.package_id == package.id]

    def package(self, package_id: int | None) -> Package | None:
        return next((p for p in self.packages if p.id == package_id), None)

    @property
    def all_verified(self) -> bool:
        verified = self.verified()
        return all(verified.get(r.item_id, 0) >= r.qty for r in self.rows)

    @property
    def live_packages(self) -> list[Package]:
        return [p for p in self.packages if p.status != "voided"]


def open_job(badge: str) -> PackJob | None:
    return PackJob.get_or_none((PackJob.packer == badge) & (PackJob.status == "open"))


def packers_at(stations: set[str]) -> set[str]:
    """The badges of the pack sessions open at these stations."""
    query = FloorSession.select(FloorSession.badge).where(
        FloorSession.station.in_(list(stations)),
        FloorSession.ended_at.is_null(True),
        FloorSession.flow == "pack",
    )
    return {row.badge for row in query}


def packers_of(external_ids: list[str]) -> set[str]:
    """The packers of these orders' open pack jobs."""
    query = (
        PackJob.select(PackJob.packer)
        .join(Order)
        .where(Order.external_id.in_(external_ids), PackJob.status == "open")
    )
    return {row.packer for row in query}


def job_of_order(order: Order) -> PackJob | None:
    return PackJob.get_or_none((PackJob.order == order) & (PackJob.status == "open"))


def load(job: PackJob) -> PackWork:
    order = Order.get_by_id(job.order_id)
    tote = Tote.get_by_id(job.tote_id) if job.tote_id is not None else None
    rows = picked_rows(job.tote_id, order.id) if job.tote_id is not None else []
    packages = list(Package.select().where(Package.job == job).order_by(Package.seq))
    items = list(
        PackageItem.select()
        .where(PackageItem.package.in_([p.id for p in packages]))
        .order_by(PackageItem.id)
    )
    return PackWork(job, order, tote, rows, packages, items)


def picked_rows(tote_id: int, order_id: int) -> list[PickedRow]:
    query = (
        ToteItem.select(ToteItem, OrderLine, Product)
        .join(OrderLine)
        .switch(ToteItem)
        .join(Product)
        .where(ToteItem.tote == tote_id, ToteItem.order == order_id)
        .order_by(ToteItem.id)
    )
    return [
        PickedRow(
            item_id=item.id,
            line_pk=item.line.id,
            line_id=item.line.line_id,
            product_id=item.product_id,
            sku=item.product.sku,
            name=item.product.name,
            lot=item.lot or "",
            serials=tuple(item.serials or ()),
            qty=item.qty,
            weight_g=item.product.weight_g,
            dims_mm=(item.product.length_mm, item.product.width_mm, item.product.height_mm),
            expiry=item.expiry,
        )
        for item in query
    ]


@dataclass(frozen=True)
class Waiting:
    """An order waiting in a tote at the pack zone, as a scan at the station finds it."""

    order: Order
    tote: Tote


def waiting_in(tote: Tote, pack_kind: str) -> list[Order]:
    """The orders whose picked units are in this tote, when it stands in the pack zone."""
    if tote.location_id is None:
        return []
    place = Location.get_by_id(tote.location_id)
    if place.kind != pack_kind:
        return []
    ids = {i.order_id for i in ToteItem.select(ToteItem.order).where(ToteItem.tote == tote)}
    return list(Order.select().where(Order.id.in_(sorted(ids))).order_by(Order.id))


def tote_of_order(order: Order) -> Tote | None:
    item = ToteItem.select(ToteItem.tote).where(ToteItem.order == order).first()
    return Tote.get_by_id(item.tote_id) if item is not None else None


def is_held(order: Order) -> bool:
    return OrderHold.select().where(OrderHold.order == order).exists()


def picked_for_other_order(product_id: int, order: Order, pack_kind: str) -> bool:
    """Is this product in a tote of another order waiting at the pack zone?"""
    return (
        ToteItem.select()
        .join(Tote)
        .join(Location)
        .where(
            ToteItem.product == product_id,
            ToteItem.order != order,
            Location.kind == pack_kind,
        )
        .exists()
    )
