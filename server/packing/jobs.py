"""What the pack flow changes, in the input's transaction, each with its event: a job
started on an order, packages opened, units verified into them (or moved), a package
weighed (or approved by a supervisor), labelled and confirmed, and the order packed."""

from __future__ import annotations

from typing import Any

from server.models import (
    Box,
    Order,
    OrderLine,
    Package,
    PackageItem,
    PackJob,
    PrintJob,
    Tote,
    ToteItem,
    utcnow,
)
from server.orders.views import order_view
from server.packing import cartonize, labelling, tolerance, tracking
from server.packing.catalogue import boxes
from server.packing.endings import withdraw_put_back
from server.packing.events import (
    LabelConfirmed,
    OrderPacked,
    PackageClosed,
    PackageLabelled,
    PackageOpened,
    PackagesVoided,
    PackageWeighed,
    PackStarted,
    UnitsMoved,
    UnitsVerified,
    WeightOverridden,
)
from server.packing.settings import PackingSettings
from server.packing.store import PackWork, picked_rows
from server.packing.verify import PickedRow
from server.spine import Unit
from server.supervision.exceptions import raise_exception, resolve_open
from server.totes import store as totes

WEIGHT_MISMATCH = "weight_mismatch"


def plan_for(rows: list[PickedRow]) -> list[dict[str, Any]]:
    """The suggested boxes for these units: [{"box", "units": [sku, ...]}], or [] with
    no box that fits (the packer scans one)."""
    units = [cartonize.Unit(r.sku, r.dims_mm, r.weight_g) for r in rows for _ in range(r.qty)]
    if not units or any(min(u.dims) <= 0 for u in units):
        return []
    result = cartonize.choose(boxes(), units)
    if isinstance(result, cartonize.Refusal):
        return []
    return [
        {"box": fit.box.code, "units": [p.sku for p in fit.placements]} for fit in result.packages
    ]


def start(order: Order, tote: Tote, station: str | None, packer: str, unit: Unit) -> PackJob:
    plan = plan_for(picked_rows(tote.id, order.id))
    if order.status == "short_picked":  # perhaps short at pack before, and released
        withdraw_put_back(order, tote, unit)
    job = PackJob.create(order=order, tote=tote, station=station, packer=packer, plan=plan)
    Order.update(status="packing", updated_at=utcnow()).where(Order.id == order.id).execute()
    order.status = "packing"
    unit.record(PackStarted(order.external_id, tote.code, station, packer, plan))
    return job


def take_over(
    job: PackJob, order: Order, tote: Tote, station: str | None, packer: str, unit: Unit
) -> PackJob:
    """A job a supervisor handed back, taken by the packer who scanned its tote."""
    job.packer, job.station = packer, station
    PackJob.update(packer=packer, station=station).where(PackJob.id == job.id).execute()
    unit.record(PackStarted(order.external_id, tote.code, station, packer, job.plan))
    return job


def open_package(work: PackWork, box: Box, suggested: bool, unit: Unit) -> Package:
    seq = max((p.seq for p in work.packages), default=0) + 1
    package = Package.create(
        job=work.job,
        order=work.order,
        seq=seq,
        box=box.code,
        dims_mm=[box.inner_l_mm, box.inner_w_mm, box.inner_h_mm],
    )
    work.packages.append(package)
    unit.record(PackageOpened(work.order.external_id, seq, box.code, suggested))
    return package


def verify(
    work: PackWork, package: Package, row: PickedRow, qty: int, serial: str | None, unit: Unit
) -> None:
    """`qty` more units of the tote item `row` are in `package`."""
    item = next(
        (i for i in work.items_of(package) if i.tote_item == row.item_id and not serial), None
    )
    if item is None:
        item = PackageItem.create(
            package=package,
            line=row.line_pk,
            product=row.product_id,
            lot=row.lot or None,
            expiry=row.expiry,
            serials=[serial] if serial else [],
            qty=qty,
            tote_item=row.item_id,
        )
        work.items.append(item)
    else:
        item.qty += qty
        PackageItem.update(qty=item.qty).where(PackageItem.id == item.id).execute()
    serials = (serial,) if serial else ()
    unit.record(
        UnitsVerified(work.order.external_id, package.seq, row.sku, qty, row.lot or None, serials)
    )


def move(work: PackWork, source: Package, target: Package, item: PackageItem, unit: Unit) -> str:
    """One unit of `item` moves from `source` to `target` (before labelling); its SKU."""
    sku = next(r.sku for r in work.rows if r.item_id == item.tote_item)
    serial = item.serials[-1] if item.serials else None
    if item.qty == 1:
        PackageItem.delete().where(PackageItem.id == item.id).execute()
        work.items.remove(item)
    else:
        item.qty -= 1
        item.serials = [s for s in item.serials if s != serial]
        PackageItem.update(qty=item.qty, serials=item.serials).where(
            PackageItem.id == item.id
        ).execute()
    row = next(r for r in work.rows if r.item_id == item.tote_item)
    moved = PackageItem.create(
        package=target,
        line=row.line_pk,
        product=row.product_id,
        lot=row.lot or None,
        expiry=row.expiry,
        serials=[serial] if serial else [],
        qty=1,
        tote_item=row.item_id,
    )
    work.items.append(moved)
    unit.record(UnitsMoved(work.order.external_id, source.seq, sku, 1, target.seq))
    return sku


def drop_empty(work: PackWork, unit: Unit) -> None:
    """Packages left without units (moved to another before labelling) are void; the
    others keep their numbers (n of m counts the live ones)."""
    empty = [p for p in work.live_packages if not work.items_of(p) and p.sscc is None]
    if not empty:
        return
    for package in empty:  # out of the numbering: n of m counts the live packages
        package.status, package.seq = "voided", -package.id
        Package.update(status="voided", seq=package.seq).where(Package.id == package.id).execute()
    for n, package in enumerate(work.live_packages, start=1):
        if package.seq != n:
            package.seq = n
            Package.update(seq=n).where(Package.id == package.id).execute()
    unit.record(PackagesVoided(work.order.external_id, [], "empty package"))


def close(work: PackWork, package: Package, unit: Unit) -> None:
    """The packer closed the package to fill the next one (it is weighed at the end)."""
    set_status(package, "closed")
    units = sum(i.qty for i in work.items_of(package))
    unit.record(PackageClosed(work.order.external_id, package.seq, package.box, units))


def set_status(package: Package, status: str) -> None:
    package.status = status
    Package.update(status=status).where(Package.id == package.id).execute()


def _weights(
    work: PackWork, package: Package, settings: PackingSettings
) -> tuple[list[tolerance.Line], int, tolerance.Tolerance]:
    """The package's lines (with their products' own tolerance), its box's tare, and the
    site's tolerance."""
    rows = {r.item_id: r for r in work.rows}
    lines = []
    for item in work.items_of(package):
        row = rows.get(item.tote_item or -1)
        if row is None:
            continue
        own = settings.tolerance_overrides.get(row.sku)
        own_tolerance = tolerance.Tolerance(own.percent, own.grams) if own else None
        lines.append(tolerance.Line(row.sku, row.weight_g, item.qty, own_tolerance))
    tare = Box.get(Box.code == package.box).tare_g
    return lines, tare, tolerance.Tolerance(settings.tolerance_percent, settings.tolerance_g)


def expected(work: PackWork, package: Package, settings: PackingSettings) -> tolerance.Expected:
    return tolerance.expected(*_weights(work, package, settings))


def weighed(
    work: PackWork,
    package: Package,
    grams: float,
    source: str,
    device: str | None,
    settings: PackingSettings,
    unit: Unit,
) -> tolerance.WeightCheck:
    """Record the weight that counted; outside the tolerance, the supervisors are told."""
    lines, tare, site = _weights(work, package, settings)
    check = tolerance.check(grams, lines, tare, site)
    package.measured_weight_g, package.expected_weight_g = round(grams), check.expected_g
    package.weight_source, package.weight_device = source, device
    package.status = "weighed" if check.within else "closed"
    package.save()
    unit.record(
        PackageWeighed(
            work.order.external_id,
            package.seq,
            round(grams),
            check.expected_g,
            check.allowed_g,
            source,
            device,
            check.within,
        )
    )
    if check.within:  # weighed again within tolerance: what the supervisors were told is done
        resolve_open(
            unit,
            kind=WEIGHT_MISMATCH,
            subject=f"order:{work.order.external_id}",
            resolution=f"package {package.seq} weighed again within tolerance",
        )
    else:
        raise_exception(
            unit,
            kind=WEIGHT_MISMATCH,
            subject=f"order:{work.order.external_id}",
            message=f"Package {package.seq} of order {work.order.external_id}: {check.message}",
            data={
                "package": package.seq,
                "weight_g": round(grams),
                "expected_weight_g": check.expected_g,
                "allowed_g": check.allowed_g,
                "station": work.job.station,
            },
        )
    return check


def approve(work: PackWork, package: Package, supervisor: str, reason: str, unit: Unit) -> None:
    package.status = "weighed"
    package.override = {"by": supervisor, "reason": reason, "at": utcnow().isoformat()}
    package.weight_source = "override"
    package.save()
    unit.record(
        WeightOverridden(
            work.order.external_id,
            package.seq,
            supervisor,
            reason,
            package.measured_weight_g or 0,
            package.expected_weight_g or 0,
        )
    )
    resolve_open(
        unit,
        kind=WEIGHT_MISMATCH,
        subject=f"order:{work.order.external_id}",
        resolution=f"approved by {supervisor}: {reason}",
    )


def label(
    work: PackWork,
    package: Package,
    carrier: str,
    service: str,
    chosen_by: str,
    printer: str | None,
    settings: PackingSettings,
    unit: Unit,
) -> None:
    """The package's SSCC (new, unless it has one) and carrier; a print job for `printer`."""
    reprint = package.sscc is not None
    if package.sscc is None:
        package.sscc = labelling.allocate_sscc(settings)
    package.carrier, package.service, package.carrier_rule = carrier, service, chosen_by
    package.status = "labelled"
    package.save()
    if printer is not None:
        PrintJob.create(package=package, printer=printer)
    unit.record(
        PackageLabelled(
            work.order.external_id,
            package.seq,
            package.sscc,
            carrier,
            service,
            chosen_by,
            printer,
            reprint,
        )
    )
    tracking.at_labelling(package, work.order, settings, unit)


def confirm(work: PackWork, package: Package, unit: Unit) -> None:
    set_status(package, "confirmed")
    assert package.sscc is not None
    unit.record(LabelConfirmed(work.order.external_id, package.seq, package.sscc))


def finish(work: PackWork, unit: Unit) -> dict[str, Any]:
    """Every package is labelled and confirmed: stock moves from the tote into the
    packages, the tote is free, the order is packed and the OMS is told."""
    now = utcnow()
    packages = work.live_packages
    packed: dict[int, int] = {}
    for item in work.items:
        packed[item.line_id] = packed.get(item.line_id, 0) + item.qty
    for line_pk, qty in packed.items():
        OrderLine.update(packed=OrderLine.packed + qty).where(OrderLine.id == line_pk).execute()
    PackageItem.update(tote_item=None).where(
        PackageItem.package.in_([p.id for p in packages])
    ).execute()
    if work.tote is not None:
        totes.empty(work.tote.id, work.order.id)
        if not ToteItem.select().where(ToteItem.tote == work.tote).exists():
            totes.free(work.tote.id)
    Package.update(status="packed", packed_at=now).where(
        Package.id.in_([p.id for p in packages])
    ).execute()
    for package in packages:
        package.status, package.packed_at = "packed", now
    work.job.status, work.job.done_at = "done", now
    work.job.save()
    order = work.order
    order.status, order.updated_at = "packed", now
    Order.update(status="packed", updated_at=now).where(Order.id == order.id).execute()
    views = [package_view(p, work.items_of(p), work.rows) for p in packages]
    unit.record(OrderPacked(order.external_id, order_view(order), views))
    return {"order": order.external_id, "packages": len(packages)}


def package_view(
    package: Package, items: list[PackageItem], rows: list[PickedRow] | None = None
) -> dict[str, Any]:
    """A package as the API and `order.packed` show it (docs/packing.md)."""
    skus = {r.item_id: (r.sku, r.line_id) for r in rows or []}
    lines = []
    for item in items:
        sku, line_id = skus.get(item.tote_item or -1, (None, None))
        if sku is None:
            sku, line_id = item.product.sku, item.line.line_id
        entry: dict[str, Any] = {"line_id": line_id, "sku": sku, "qty": item.qty}
        if item.lot:
            entry["lot"] = item.lot
        if item.expiry:
            entry["expiry"] = item.expiry.isoformat()
        if item.serials:
            entry["serials"] = list(item.serials)
        lines.append(entry)
    return {
        "sscc": package.sscc,
        "package": package.seq,
        "box": package.box,
        "weight_g": package.measured_weight_g,
        "expected_weight_g": package.expected_weight_g,
        "weight_source": package.weight_source,
        "dims_mm": list(package.dims_mm),
        "carrier": package.carrier,
        "service": package.service,
        "tracking": package.tracking,
        "status": package.status,
        "flagged": package.flagged,
        "lines": lines,
    }
