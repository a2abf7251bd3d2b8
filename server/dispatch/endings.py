"""An order cancelled while its packages are already on a trailer (loaded on an open
manifest): packing flags them (server/packing/endings.py), the manifest cannot close while
they are on it, and supervisors are told where they are, so they come off before the
truck leaves. After its manifest closed, an order is `dispatched` and a cancel is refused
(409, server/orders/handlers.py)."""

from __future__ import annotations

from collections import defaultdict

from server.models import Location, Order, Package
from server.models.dispatch import Manifest, ManifestPackage
from server.spine import Unit
from server.supervision.exceptions import raise_exception

CANCELLED_LOADED = "dispatch_cancelled_loaded"


def cancel_on_trailer(order: Order, unit: Unit) -> None:
    """Hook ORDER_CANCELLED: the order's packages loaded on open manifests, named."""
    query = (
        ManifestPackage.select(ManifestPackage, Manifest, Location, Package)
        .join(Manifest, on=(ManifestPackage.manifest == Manifest.id))
        .join(Location, on=(Manifest.dock == Location.id))
        .switch(ManifestPackage)
        .join(Package, on=(ManifestPackage.package == Package.id))
        .where(ManifestPackage.order == order.id, Manifest.status == "open")
    )
    on: dict[tuple[str, str], list[str]] = defaultdict(list)
    for mp in query:
        on[(mp.manifest.manifest_id, mp.manifest.dock.code)].append(mp.package.sscc or "")
    for (manifest_id, dock), ssccs in sorted(on.items()):
        raise_exception(
            unit,
            kind=CANCELLED_LOADED,
            subject=f"order:{order.external_id}",
            message=(
                f"Order {order.external_id} was cancelled with {len(ssccs)} package(s) loaded "
                f"on manifest {manifest_id} at {dock}: take {', '.join(ssccs)} off the "
                "trailer and unload them before it is closed"
            ),
            data={"manifest": manifest_id, "dock": dock, "ssccs": ssccs},
        )
