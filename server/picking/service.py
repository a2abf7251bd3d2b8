"""Wiring picking into a running server: settings, lights, pushes and the light-press route.

After commit: light commands are sent; sessions whose picking screen changed because of
someone else (an order cancelled, a batch reassigned) are re-rendered and pushed.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask

from server.db import connection
from server.floor.sessions import refresh_sessions, sessions_of_operator
from server.hardware import routes
from server.models import BatchOrder, Order, PickBatch
from server.picking import flow, light_press, lights
from server.runtime import Runtime

log = logging.getLogger(__name__)
PUSH_TYPES = ("order.cancelled", "batch.reassigned", "batch.unassigned")


def badges_to_refresh(events: list[dict[str, Any]]) -> set[str]:
    badges: set[str] = set()
    for event in events:
        if event["type"] == "order.cancelled":
            badges |= _pickers_of(event["subject"].removeprefix("order:"))
        elif event["type"] in ("batch.reassigned", "batch.unassigned"):
            badges |= {b for b in (event["data"].get("from"), event["data"].get("to")) if b}
    return badges


def _pickers_of(external_id: str) -> set[str]:
    query = (
        PickBatch.select(PickBatch.operator)
        .join(BatchOrder)
        .join(Order)
        .where(Order.external_id == external_id, PickBatch.status == "assigned")
    )
    return {row.operator for row in query if row.operator}


def push_changed(events: list[dict[str, Any]]) -> None:
    """After-commit listener: re-render and push the screens of the pickers concerned."""
    if not any(e["type"] in PUSH_TYPES for e in events):
        return
    with connection():
        badges = badges_to_refresh(events)
        ids = [sid for badge in sorted(badges) for sid in sessions_of_operator(badge)]
    if ids:
        refresh_sessions(ids)


class PickingService:
    name = "picking"

    def start(self) -> None:
        return None

    def stop(self) -> None:
        return None


def build(app: Flask, runtime: Runtime) -> PickingService:
    flow.configure(runtime.settings.picking)
    lights.install(lights.port(), ttl_s=runtime.settings.picking.light_ttl_s)
    runtime.spine.subscribe(lights.send_committed)
    runtime.spine.subscribe(push_changed)
    routes.route("press")(light_press.press_confirms_pick)
    return PickingService()
