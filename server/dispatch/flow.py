"""The floor flow `dispatch` (docs/dispatch.md): at a dock, packages scanned by SSCC onto a
carrier's manifest while the door is open, then the manifest closed with the seal.

Durable truth (manifests, loads, split approvals) lives in the dispatch tables; where the
dispatcher is (dock, manifest, step) is session scratch in `ctx.state["dispatch"]`
(server/dispatch/steps.py). Operator mistakes never raise: they return the current screen
with error feedback, and nothing changes.
"""

from __future__ import annotations

from typing import Any

from server.dispatch import docks
from server.dispatch.events import ManifestCancelled, ManifestClosed, SplitApproved
from server.dispatch.inputs import Dispatch
from server.floor.flow import FloorInput, FlowContext, Screen
from server.hardware.events import DeviceOffline, DeviceOnline
from server.models import Order
from server.models.dispatch import Manifest, ManifestPackage
from server.orders.events import OrderCancelled
from server.packing.events import PackagesFlagged


class DispatchFlow:
    """The dispatch flow; given its settings in the context (`ctx.settings`, `[dispatch]`)."""

    name = "dispatch"
    label = "Dispatch"
    roles = frozenset({"dispatcher", "supervisor"})
    settings_key = "dispatch"
    concerns = frozenset(
        {
            OrderCancelled.type,
            PackagesFlagged.type,
            DeviceOnline.type,
            DeviceOffline.type,
            ManifestClosed.type,
            ManifestCancelled.type,
            SplitApproved.type,
        }
    )

    def __init__(self, settings: Any) -> None:
        self.site = settings  # the whole settings: the docks' doors are in [[devices]]

    def operators_concerned(self, events: list[dict[str, Any]]) -> set[str]:
        """Dispatchers at a dock whose door sensor came or went, on a manifest closed,
        cancelled or approved by someone else, or holding packages of an order just
        cancelled (not the dispatcher whose own input it was: their answer shows it)."""
        at_doors = docks.doors(self.site)
        badges: set[str] = set()
        by_others: dict[str, set[str]] = {}  # manifest -> the actors of its events
        orders: list[str] = []
        for event in events:
            kind, _, key = event["subject"].partition(":")
            if kind == "device" and key in at_doors:
                badges |= {b for _, b in docks.dispatchers(dock=at_doors[key])}
            elif kind == "manifest":
                by_others.setdefault(key, set()).add(str(event.get("actor") or ""))
            elif kind == "order":
                orders.append(key)
        for manifest, actors in by_others.items():
            on = docks.dispatchers(manifests={manifest})
            badges |= {b for _, b in on if f"operator:{b}" not in actors}
        if orders:
            query = (
                Manifest.select(Manifest.manifest_id)
                .join(ManifestPackage, on=(ManifestPackage.manifest == Manifest.id))
                .join(Order, on=(ManifestPackage.order == Order.id))
                .where(Order.external_id.in_(orders), Manifest.status == "open")
            )
            holding = {row.manifest_id for row in query}
            if holding:
                badges |= {b for _, b in docks.dispatchers(manifests=holding)}
        return badges

    def enter(self, ctx: FlowContext) -> Screen:
        return Dispatch(ctx, self.site).render()

    def render(self, ctx: FlowContext) -> Screen:
        return Dispatch(ctx, self.site).render()

    def handle(self, ctx: FlowContext, inp: FloorInput) -> Screen:
        return Dispatch(ctx, self.site).handle(inp)
