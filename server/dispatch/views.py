"""The public shapes of a manifest: its summary (events, lists) and its detail (the API, the
documents): what is loaded, by order, and what still waits for its carrier."""

from __future__ import annotations

from typing import Any

from server.dispatch import store
from server.models import Order, isoformat
from server.models.dispatch import ANY_SERVICE, Manifest, ManifestPackage, SplitApproval


def service_of(m: Manifest) -> str:
    return "any" if m.service == ANY_SERVICE else m.service


def summary(m: Manifest) -> dict[str, Any]:
    return {
        "id": m.manifest_id,
        "reference": m.reference,
        "carrier": m.carrier,
        "service": service_of(m),
        "dock": m.dock.code,
        "trailer": m.trailer,
        "planned_pickup_at": isoformat(m.planned_pickup_at),
        "status": m.status,
        "seal": m.seal,
        "created_by": m.created_by,
        "created_at": isoformat(m.created_at),
        "closed_by": m.closed_by,
        "closed_at": isoformat(m.closed_at),
    }


def loaded_view(mp: ManifestPackage) -> dict[str, Any]:
    p = mp.package
    return {
        "sscc": p.sscc,
        "order": mp.order.external_id,
        "package": p.seq,
        "box": p.box,
        "weight_g": p.measured_weight_g,
        "tracking": p.tracking,
        "service": p.service,
        "loaded_at": isoformat(mp.loaded_at),
        "loaded_by": mp.loaded_by,
    }


def totals(packages: list[dict[str, Any]]) -> dict[str, int]:
    return {
        "packages": len(packages),
        "orders": len({p["order"] for p in packages}),
        "weight_g": sum(p["weight_g"] or 0 for p in packages),
    }


def splits_of(m: Manifest) -> list[dict[str, Any]]:
    query = (
        SplitApproval.select(SplitApproval, Order)
        .join(Order, on=(SplitApproval.order == Order.id))
        .where(SplitApproval.manifest == m.id)
        .order_by(SplitApproval.approved_at)
    )
    return [
        {
            "order": s.order.external_id,
            "approved_by": s.approved_by,
            "reason": s.reason,
            "approved_at": isoformat(s.approved_at),
        }
        for s in query
    ]


def detail(m: Manifest) -> dict[str, Any]:
    """The manifest with its packages, its orders' progress and what still waits."""
    loaded = store.loads(m)
    packages = [loaded_view(mp) for mp in loaded]
    view = summary(m) | {"totals": totals(packages), "packages": packages}
    if m.status == "open":
        view["orders"] = [
            {
                "order": o.order,
                "loaded": o.loaded,
                "not_loaded": o.elsewhere,
                "split_approved": o.split_approved,
                "status": o.order_status,
                "held": o.held,
            }
            for o in store.orders_on(m, loaded)
        ]
        view["waiting"] = [
            {
                "sscc": p.sscc,
                "order": p.order.external_id,
                "weight_g": p.measured_weight_g,
                "service": p.service,
            }
            for p in store.waiting(m)
        ]
    view["splits"] = splits_of(m)
    return view
