"""Which packers a change committed elsewhere concerns (Flow.concerns and
Flow.operators_concerned, server/floor/flow.py): their screens are re-rendered and pushed
at once, without an input of theirs."""

from __future__ import annotations

from typing import Any

from server.config import Settings
from server.hardware.events import DeviceOffline, DeviceOnline
from server.models import Order, PackJob
from server.orders.events import OrderCancelled
from server.packing import store
from server.packing.events import PackReleased, WeightOverridden
from server.packing.stations import scale_stations

DEVICE = frozenset({DeviceOnline.type, DeviceOffline.type})  # a station's scale, its bridge
CONCERNS = frozenset({OrderCancelled.type, PackReleased.type, WeightOverridden.type, *DEVICE})


def packers_concerned(site: Settings, events: list[dict[str, Any]]) -> set[str]:
    """The packer of a cancelled order's job, of a job a supervisor handed back or whose
    weight a supervisor approved (from the board), or at a station whose scale went
    offline or came back."""
    badges = {e["data"]["packer"] for e in events if e["type"] == PackReleased.type}
    approved = _orders(events, WeightOverridden.type)
    if approved:
        badges |= store.packers_of(approved)
    devices = {e["subject"].removeprefix("device:") for e in events if e["type"] in DEVICE}
    if devices and (stations := scale_stations(site, devices)):
        badges |= store.packers_at(stations)
    cancelled = _orders(events, OrderCancelled.type)
    if cancelled:
        query = (
            PackJob.select(PackJob.packer)
            .join(Order)
            .where(Order.external_id.in_(cancelled), PackJob.status == "cancelled")
        )
        badges |= {row.packer for row in query}
    return badges


def _orders(events: list[dict[str, Any]], type_: str) -> list[str]:
    return [e["subject"].removeprefix("order:") for e in events if e["type"] == type_]
