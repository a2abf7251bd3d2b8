"""How packing ends other than packed: units missing or damaged at the station (the order
is held for a supervisor, its tote goes back through a put-back), an order cancelled while
on the station (its packages and labels are void) or after it was packed (its packages are
flagged, so dispatch refuses them)."""

from __future__ import annotations

from server.models import (
    BatchOrder,
    Order,
    Package,
    PackageItem,
    PackJob,
    PrintJob,
    PutBack,
    Tote,
    utcnow,
)
from server.models.picking import PutBackStatus, SlotStatus
from server.orders.holds import hold
from server.packing.events import PackagesFlagged, PackagesVoided, PackShort
from server.packing.store import PackWork, job_of_order, load
from server.packing.verify import remaining
from server.spine import Unit
from server.supervision.exceptions import raise_exception, resolve_open

PACK_SHORT = "pack_short"
PACKED_CANCELLED = "packed_cancelled"
SHORT_HOLDER = "packing"


def void(work: PackWork, reason: str, unit: Unit) -> list[str]:
    """The job's packages are void: their items go, their labels are void; the SSCCs."""
    live = work.live_packages
    ids = [p.id for p in live]
    ssccs = [p.sscc for p in live if p.sscc]
    if ids:
        PackageItem.delete().where(PackageItem.package.in_(ids)).execute()
        PrintJob.update(status="failed", last_error=f"voided: {reason}").where(
            PrintJob.package.in_(ids), PrintJob.status == "pending"
        ).execute()
        for package in live:  # out of the order's numbering, so a new job starts at 1
            package.status, package.seq = "voided", -package.id
            Package.update(status="voided", seq=package.seq).where(
                Package.id == package.id
            ).execute()
        unit.record(PackagesVoided(work.order.external_id, ssccs, reason))
    work.items.clear()
    return ssccs


def short(work: PackWork, reason: str, label: str, unit: Unit) -> None:
    """Units missing or damaged: the order is held, its tote waits for a put-back."""
    verified = work.verified()
    lines = [
        {"line_id": r.line_id, "sku": r.sku, "qty": r.qty - verified.get(r.item_id, 0)}
        for r in work.rows
        if r.qty > verified.get(r.item_id, 0)
    ]
    void(work, f"short at pack: {label}", unit)
    _end(work.job, "short")
    order = work.order
    prior = "short_picked"
    Order.update(status=prior, updated_at=utcnow()).where(Order.id == order.id).execute()
    order.status = prior
    hold(order, f"short at pack ({label})", SHORT_HOLDER, unit)
    tote = work.tote.code if work.tote is not None else None
    if work.tote is not None:
        PutBack.create(tote=work.tote, order=order)
        # picking's record of the tote says it waits for a put-back (GET /picking/put-backs
        # lists it; completing it returns the units to a shelf and frees the tote)
        BatchOrder.update(status=SlotStatus.CANCELLED).where(
            BatchOrder.tote == work.tote,
            BatchOrder.order == order,
            BatchOrder.status == SlotStatus.DROPPED,
        ).execute()
    unit.record(PackShort(order.external_id, reason, lines, tote))
    left = remaining(work.rows, {})
    raise_exception(
        unit,
        kind=PACK_SHORT,
        subject=f"order:{order.external_id}",
        message=(
            f"Order {order.external_id}: units {label.lower()} at {work.job.station or 'a bench'}"
            f"; tote {tote} waits for a put-back, the order is held"
        ),
        data={"reason": reason, "tote": tote, "units": left, "station": work.job.station},
    )


def withdraw_put_back(order: Order, tote: Tote, unit: Unit) -> None:
    """An order short at pack, released by a supervisor and packed again from its tote:
    the put-back waiting for that tote is not needed any more, nor the short's exception.
    (Recorded with the pack's start, `order.packing`, in the same transaction.)"""
    withdrawn = (
        PutBack.update(status=PutBackStatus.WITHDRAWN, done_at=utcnow())
        .where(
            PutBack.tote == tote, PutBack.order == order, PutBack.status == PutBackStatus.PENDING
        )
        .execute()
    )
    if not withdrawn:
        return
    BatchOrder.update(status=SlotStatus.DROPPED).where(
        BatchOrder.tote == tote,
        BatchOrder.order == order,
        BatchOrder.status == SlotStatus.CANCELLED,
    ).execute()
    resolve_open(
        unit,
        kind=PACK_SHORT,
        subject=f"order:{order.external_id}",
        resolution=f"released and packed again from tote {tote.code}",
    )


def cancel_in_packing(order: Order, unit: Unit) -> None:
    """Hook ORDER_CANCELLED: a job on the station ends and its labels are void (picking's
    hook already asked for the tote's put-back); a packed order's packages are flagged."""
    job = job_of_order(order)
    if job is not None:
        work = load(job)
        void(work, "order cancelled", unit)
        _end(job, "cancelled")
        return
    packed = list(Package.select().where(Package.order == order, Package.status == "packed"))
    if not packed:
        return
    reason = "order cancelled after packing: unpack and put back"
    Package.update(flagged=reason).where(Package.id.in_([p.id for p in packed])).execute()
    ssccs = [p.sscc for p in packed if p.sscc]
    unit.record(PackagesFlagged(order.external_id, ssccs, reason))
    raise_exception(
        unit,
        kind=PACKED_CANCELLED,
        subject=f"order:{order.external_id}",
        message=(
            f"Order {order.external_id} was cancelled after packing: take its packages "
            f"({', '.join(ssccs)}) off the dock and unpack them"
        ),
        data={"ssccs": ssccs},
    )


def _end(job: PackJob, status: str) -> None:
    job.status, job.done_at = status, utcnow()
    job.save()
