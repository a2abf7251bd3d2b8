"""Devices and sync health for the board: every device with its availability and last seen
(the same list as GET /api/v1/devices), and per webhook endpoint what waits to be
delivered, how old the oldest is and how many are dead letters."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import peewee

from server.config import Settings
from server.floor.kiosks import list_kiosks
from server.hardware.link import MqttLink
from server.hardware.listing import list_devices
from server.models import (
    Event,
    WebhookDelivery,
    WebhookEndpoint,
    isoformat,
)
from server.models.sync import DeliveryStatus
from server.packing.printing import printer_states

SHOWN = ("id", "kind", "source", "station", "location", "availability", "last_seen", "state")


def devices(settings: Settings, link: MqttLink | None) -> dict[str, Any]:
    listed = list_devices(settings, link, list_kiosks, printer_states)
    rows = [{k: d.get(k) for k in SHOWN} for d in listed]
    rows.sort(key=lambda d: (d["availability"] == "online", d["kind"], d["id"]))
    offline = sum(1 for d in rows if d["availability"] != "online")
    return {"count": len(rows), "offline": offline, "devices": rows}


def sync(now: dt.datetime) -> list[dict[str, Any]]:
    """Per endpoint: pending deliveries, the oldest one's age, dead letters, and the events
    not yet fanned out to it (no endpoint: nothing more read)."""
    endpoints = list(WebhookEndpoint.select().order_by(WebhookEndpoint.id))
    if not endpoints:
        return []
    waiting: dict[int, dict[str, Any]] = defaultdict(lambda: {"pending": 0, "dead": 0})
    query: list[Any] = list(
        WebhookDelivery.select(
            WebhookDelivery.endpoint,
            WebhookDelivery.status,
            peewee.fn.COUNT(WebhookDelivery.id),
            peewee.fn.MIN(WebhookDelivery.created_at),
        )
        .where(WebhookDelivery.status.in_([DeliveryStatus.PENDING, DeliveryStatus.DEAD]))
        .group_by(WebhookDelivery.endpoint, WebhookDelivery.status)
        .tuples()
    )
    for endpoint, status, count, oldest in query:
        waiting[endpoint][status] = count
        if status == DeliveryStatus.PENDING:
            waiting[endpoint]["oldest"] = oldest
    head = Event.select(peewee.fn.MAX(Event.position)).scalar() or 0
    out = []
    for row in endpoints:
        w = waiting[row.id]
        oldest = w.get("oldest")
        out.append(
            {
                "endpoint": row.endpoint_id,
                "url": row.url,
                "status": row.status,
                "pending": w["pending"],
                "dead": w["dead"],
                "not_fanned_out": max(0, int(head) - int(row.fanout_position or 0)),
                "oldest_pending": isoformat(oldest),
                "oldest_age_s": round((now - oldest).total_seconds(), 1) if oldest else None,
            }
        )
    return out
