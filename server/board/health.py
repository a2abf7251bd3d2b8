"""Devices and sync health for the board: every device with its availability and last seen
(the same list as GET /api/v1/devices), and per webhook endpoint what waits to be
delivered, how old the oldest is and how many are dead letters.

The kiosks are listed here in two statements (every kiosk, then every open session) rather
than by the floor's `list_kiosks()`, which reads each kiosk's session by itself: with a
hundred handhelds that was a hundred statements, and the board lists the devices again on
every refresh."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import peewee

from server.config import Settings
from server.floor import sockets_registry
from server.floor.kiosks import ONLINE_WITHIN_S, enrollment_state
from server.hardware.link import MqttLink
from server.hardware.listing import list_devices
from server.models import (
    Event,
    FloorSession,
    KioskDevice,
    WebhookDelivery,
    WebhookEndpoint,
    isoformat,
    utcnow,
)
from server.models.sync import DeliveryStatus
from server.packing.printing import printer_states

SHOWN = ("id", "kind", "source", "station", "location", "availability", "last_seen", "state")


def devices(settings: Settings, link: MqttLink | None) -> dict[str, Any]:
    listed = list_devices(settings, link, kiosks, printer_states)
    rows = [{k: d.get(k) for k in SHOWN} for d in listed]
    rows.sort(key=lambda d: (d["availability"] == "online", d["kind"], d["id"]))
    offline = sum(1 for d in rows if d["availability"] != "online")
    return {"count": len(rows), "offline": offline, "devices": rows}


def kiosks() -> list[dict[str, Any]]:
    """Every kiosk as `list_kiosks()` shows it (id, kind, station, availability, last seen,
    enrollment and session), in two statements."""
    open_sessions: list[Any] = list(
        FloorSession.select(FloorSession.device_id, FloorSession.session_id, FloorSession.badge)
        .where(FloorSession.ended_at.is_null())
        .order_by(FloorSession.started_at)
        .tuples()
    )  # the latest of a kiosk's open sessions wins (a kiosk has one)
    sessions = {
        device: {"session_id": session_id, "badge": badge}
        for device, session_id, badge in open_sessions
    }
    now, out = utcnow(), []
    for row in KioskDevice.select().order_by(KioskDevice.device_id):
        seen = row.last_seen
        recent = seen is not None and (now - seen).total_seconds() < ONLINE_WITHIN_S
        online = recent or sockets_registry.device_connected(row.device_id)
        out.append(
            {
                "id": row.device_id,
                "kind": row.kind,
                "station": row.station,
                "availability": "online" if online and row.token_hash else "offline",
                "last_seen": isoformat(seen),
                "state": {
                    "enrollment": enrollment_state(row),
                    "session": sessions.get(row.device_id),
                },
            }
        )
    return out


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
