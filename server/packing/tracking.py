"""A package's tracking reference: the carrier's number for it, which the customer follows.
Set at labelling for a carrier that tracks by SSCC (`[packing] tracking_is_sscc`), or later
by the OMS or a carrier integration (PUT /api/v1/packages/{sscc}/tracking), until the
package leaves: a voided package has none, and once set it changes only to a new value."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from server.errors import Conflict, NotFound
from server.models import Order, Package
from server.packing.events import TrackingSet
from server.packing.settings import PackingSettings
from server.packing.sscc import why_invalid
from server.spine import Handlers, Unit

HANDLERS = Handlers()


@dataclass(frozen=True)
class SetTracking:
    sscc: str
    tracking: str


def at_labelling(package: Package, order: Order, settings: PackingSettings, unit: Unit) -> None:
    """The SSCC as the tracking reference, for a carrier that tracks by it."""
    sscc = package.sscc
    if sscc and package.carrier in settings.tracking_is_sscc and package.tracking != sscc:
        package.tracking = sscc
        Package.update(tracking=sscc).where(Package.id == package.id).execute()
        unit.record(TrackingSet(order.external_id, package.seq, sscc, sscc, "sscc"))


@HANDLERS.handles(SetTracking)
def set_tracking(cmd: SetTracking, unit: Unit) -> dict[str, Any]:
    package = None if why_invalid(cmd.sscc) else Package.get_or_none(Package.sscc == cmd.sscc)
    if package is None:
        raise NotFound(f"no package {cmd.sscc}")
    if package.status == "voided":
        raise Conflict(f"package {cmd.sscc} was voided: it ships under no tracking reference")
    order = Order.get_by_id(package.order_id)
    if order.status == "dispatched":
        raise Conflict(f"package {cmd.sscc} has left with order {order.external_id}")
    if package.tracking != cmd.tracking:
        Package.update(tracking=cmd.tracking).where(Package.id == package.id).execute()
        unit.record(TrackingSet(order.external_id, package.seq, cmd.sscc, cmd.tracking, "api"))
    return {"sscc": cmd.sscc, "tracking": cmd.tracking}
