"""Changing manifests inside a command's transaction: create one, load and unload packages,
record a supervisor's split approval, cancel an empty one; and the commands the API and
the CLI run (the floor flow calls the same functions in its input's transaction)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from server import rawsql
from server.dispatch import hot, store, views
from server.dispatch.events import (
    ManifestCancelled,
    ManifestCreated,
    PackageLoaded,
    PackageUnloaded,
    SplitApproved,
)
from server.dispatch.rules import PackageFacts, Refusal
from server.errors import Conflict, InvalidInput, NotFound, field_error
from server.ids import new_id
from server.models import Location, Order, Package, SupervisorException, utcnow
from server.models.dispatch import ANY_SERVICE, Manifest, ManifestPackage, SplitApproval
from server.models.sync import ExceptionStatus
from server.spine import Handlers, Unit
from server.supervision.exceptions import raise_exception

HANDLERS = Handlers()

REFUSED_LOAD = "dispatch_refused_load"


@dataclass(frozen=True)
class CreateManifest:
    carrier: str
    dock: str
    service: str = "any"
    trailer: str | None = None
    planned_pickup_at: dt.datetime | None = None  # naive UTC
    reference: str | None = None


@dataclass(frozen=True)
class ApproveSplit:
    manifest_id: str
    order: str
    reason: str


@dataclass(frozen=True)
class CancelManifest:
    manifest_id: str
    reason: str = ""


def create(cmd: CreateManifest, by: str, unit: Unit) -> Manifest:
    dock = Location.get_or_none(Location.code == cmd.dock)
    if dock is None or dock.kind != "dock":
        what = "no location" if dock is None else f"a {dock.kind} location, not a dock"
        raise InvalidInput(
            "the manifest cannot be created", [field_error("dock", f"{cmd.dock} is {what}")]
        )
    service = ANY_SERVICE if cmd.service in ("", "any") else cmd.service
    m = Manifest.create(
        manifest_id=new_id("man"),
        carrier=cmd.carrier,
        service=service,
        dock=dock,
        trailer=cmd.trailer or None,
        planned_pickup_at=cmd.planned_pickup_at,
        reference=cmd.reference,
        created_by=by,
    )
    m.dock = dock
    unit.record(ManifestCreated(m.manifest_id, views.summary(m)))
    return m


@HANDLERS.handles(CreateManifest)
def create_manifest(cmd: CreateManifest, unit: Unit) -> dict[str, Any]:
    return views.detail(create(cmd, str(unit.actor), unit))


def load(m: Manifest, facts: PackageFacts, package: Package, by: str, unit: Unit) -> int:
    """Put the package on the manifest (the rules said yes); the packages loaded now."""
    row = {"manifest": m.id, "package": package.id, "order": package.order_id, "loaded_by": by}
    rawsql.insert_rows(ManifestPackage, [row])
    count = hot.loaded_count(m)
    unit.record(PackageLoaded(m.manifest_id, facts.sscc, facts.order, m.dock.code, count))
    return count


def unload(m: Manifest, facts: PackageFacts, package: Package, unit: Unit) -> int:
    ManifestPackage.delete().where(ManifestPackage.package == package.id).execute()
    count = hot.loaded_count(m)
    unit.record(PackageUnloaded(m.manifest_id, facts.sscc, facts.order, m.dock.code, count))
    return count


def refused_for_put_back(m: Manifest, facts: PackageFacts, refusal: Refusal, unit: Unit) -> None:
    """A package that must not leave reached the dock: supervisors are told, once per
    package while the exception is open."""
    subject = f"order:{facts.order}"
    query = SupervisorException.select(SupervisorException.data).where(
        SupervisorException.kind == REFUSED_LOAD,
        SupervisorException.subject == subject,
        SupervisorException.status == ExceptionStatus.OPEN,
    )
    if any((row.data or {}).get("sscc") == facts.sscc for row in query):
        return
    raise_exception(
        unit,
        kind=REFUSED_LOAD,
        subject=subject,
        message=(
            f"Package {facts.sscc} of order {facts.order} was scanned at {m.dock.code} and "
            f"refused: {refusal.message}"
        ),
        data={
            "sscc": facts.sscc,
            "order": facts.order,
            "manifest": m.manifest_id,
            "dock": m.dock.code,
            "reason": refusal.message,
        },
    )


def approve_split(m: Manifest, external_id: str, by: str, reason: str, unit: Unit) -> None:
    """Let `external_id` leave on `m` without all its packages (a supervisor's decision)."""
    if m.status != "open":
        raise Conflict(f"manifest {m.manifest_id} is {m.status}")
    order = Order.get_or_none(Order.external_id == external_id)
    if order is None:
        raise NotFound(f"no order {external_id}")
    found = next((o for o in store.orders_on(m) if o.order == external_id), None)
    if found is None:
        raise Conflict(f"order {external_id} has no package on manifest {m.manifest_id}")
    if not found.elsewhere:
        raise Conflict(f"order {external_id} is loaded whole: there is no split to approve")
    if found.split_approved:
        raise Conflict(f"a split of order {external_id} is already approved on this manifest")
    SplitApproval.create(manifest=m.id, order=order.id, approved_by=by, reason=reason)
    unit.record(
        SplitApproved(m.manifest_id, external_id, by, reason, found.loaded, found.elsewhere)
    )


@HANDLERS.handles(ApproveSplit)
def approve_split_command(cmd: ApproveSplit, unit: Unit) -> dict[str, Any]:
    m = store.manifest(cmd.manifest_id, lock="update")
    approve_split(m, cmd.order, str(unit.actor), cmd.reason, unit)
    return views.detail(m)


@HANDLERS.handles(CancelManifest)
def cancel_manifest(cmd: CancelManifest, unit: Unit) -> dict[str, Any]:
    m = store.manifest(cmd.manifest_id, lock="update")
    if m.status != "open":
        raise Conflict(f"manifest {m.manifest_id} is {m.status}")
    loaded = hot.loaded_count(m)
    if loaded:
        raise Conflict(f"manifest {m.manifest_id} has {loaded} packages loaded: unload them first")
    m.status, m.closed_at, m.closed_by, m.note = "cancelled", utcnow(), str(unit.actor), cmd.reason
    m.save()
    unit.record(ManifestCancelled(m.manifest_id, cmd.reason))
    return views.detail(m)
