"""Writing a folded batch into the registry, inside the ingest command's transaction.

A handful of statements per batch whatever its size: one SELECT and one INSERT for
de-duplication, one SELECT of the rows touched, one INSERT of new devices and one UPDATE
per device whose row changed (docs/performance.md, trap 5); with a bridge's events, one
SELECT of the ids the order rule needs and one INSERT of its routed events' ids.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from devices.payloads import CommandReply, DeviceEvent
from server.hardware import sql
from server.hardware.availability import Online, Seen, availability
from server.hardware.batch import Batch, DeviceChange, event_summary
from server.hardware.events import AVAILABILITY, DeviceDiscovered, RegistryEvent
from server.models import utcnow
from server.models.hardware import HardwareDevice, HardwareInput

KEEP_INPUTS = dt.timedelta(days=8)  # longer than the broker session expiry (7 days)
_BLANK: dict[str, Any] = {"kind": ""}


# What a batch compares with the stored row (the rest is only written).
_COMPARED = (
    HardwareDevice.id,
    HardwareDevice.availability,
    HardwareDevice.state,
    HardwareDevice.last_command,
)


def take_in(events: list[DeviceEvent]) -> list[DeviceEvent]:
    """Remember these events; return those not taken in before (in order, once each)."""
    inserted = sql.insert_new_inputs(list(dict.fromkeys(e.event_id for e in events)), utcnow())
    fresh = []
    for event in events:
        if event.event_id in inserted:
            inserted.discard(event.event_id)
            fresh.append(event)
    return fresh


def known_inputs(event_ids: list[str]) -> set[str]:
    """Which of these event ids were taken in before."""
    found: set[str] = set()
    for start in range(0, len(event_ids), 500):
        chunk = event_ids[start : start + 500]
        query = HardwareInput.select(HardwareInput.event_id).where(
            HardwareInput.event_id.in_(chunk)
        )
        found.update(row.event_id for row in query)
    return found


def remember(events: list[DeviceEvent]) -> None:
    """Note events as taken in (a bridge's routed events: the route's own command
    de-duplicates them, but the next event of their device needs them seen)."""
    sql.insert_new_inputs(list(dict.fromkeys(e.event_id for e in events)), utcnow())


def apply(batch: Batch, fresh: list[DeviceEvent]) -> list[RegistryEvent]:
    """Upsert the rows the batch touches; return the events to record: a device first heard,
    an availability flipped (server/hardware/events.py)."""
    last_events = {e.device_id: event_summary(e) for e in fresh}
    rows = {
        row.id: row
        for row in HardwareDevice.select(*_COMPARED).where(
            HardwareDevice.id.in_(list(batch.changes))
        )
    }
    new_rows, updates = [], {}
    transitions: list[RegistryEvent] = []
    for device_id, change in batch.changes.items():
        values = _values(change, last_events.get(device_id), rows.get(device_id))
        row = rows.get(device_id)
        if row is None:
            new_rows.append({"id": device_id, "first_seen": change.last_seen, **values})
            transitions.append(DeviceDiscovered(device_id, _shown(values)))
            continue
        transitions.extend(_flip(row, values))
        updates[device_id] = values
    sql.update_devices(updates)
    if new_rows:
        # insert_many takes its columns from the first row: give every row all of them.
        columns = sorted({key for row in new_rows for key in row})
        filled = [{key: row.get(key, _BLANK.get(key)) for key in columns} for row in new_rows]
        HardwareDevice.insert_many(filled).execute()
    return transitions


def _values(
    change: DeviceChange, last_event: dict[str, Any] | None, row: HardwareDevice | None
) -> dict[str, Any]:
    values: dict[str, Any] = {"last_seen": change.last_seen}
    for name in ("kind", "bridge_id", "availability", "session"):
        value = getattr(change, name)
        if value is not None:
            values[name] = value
    if change.state is not None and (row is None or row.state != change.state):
        values["state"], values["state_at"] = change.state, change.last_seen
    if last_event is not None:
        values["last_event"] = last_event
    command = _replied(row.last_command if row else None, change.replies)
    if command is not None:
        values["last_command"] = command
    return values


def _replied(command: dict[str, Any] | None, replies: list[CommandReply]) -> dict[str, Any] | None:
    """The last command sent to a device, with the reply that answers it."""
    for reply in replies:
        if command is not None and command.get("cmd_id") == reply.cmd_id:
            command = {**command, "status": reply.status, "message": reply.message}
            command["replied_at"] = reply.ts.isoformat() if reply.ts else None
    return command


def _flip(row: HardwareDevice, values: dict[str, Any]) -> list[RegistryEvent]:
    new = values.get("availability")
    if new is None or new == row.availability:
        return []
    return [AVAILABILITY[new](row.id, _shown(values))]


def _shown(values: dict[str, Any]) -> dict[str, Any]:
    return {k: values[k] for k in ("kind", "availability", "bridge_id") if k in values}


def remember_command(device_id: str, command: dict[str, Any]) -> None:
    """Keep the command just sent on the device's row (its reply will complete it)."""
    updated = (
        HardwareDevice.update(last_command=command).where(HardwareDevice.id == device_id).execute()
    )
    if not updated:
        HardwareDevice.insert(id=device_id, last_command=command).execute()


def forget_old_inputs(now: dt.datetime | None = None) -> int:
    """Drop de-duplication entries older than any redelivery can be."""
    cutoff = (now or utcnow()) - KEEP_INPUTS
    return int(HardwareInput.delete().where(HardwareInput.received_at < cutoff).execute())


def shown_availability(
    row: HardwareDevice, stale_after_s: float, now: dt.datetime | None = None
) -> Online:
    """A registry row's availability by the two-level rule: its own AND its bridge's (a
    bridge that died takes its devices with it, though their rows still say online)."""
    bridge = (
        HardwareDevice.get_or_none(HardwareDevice.id == row.bridge_id) if row.bridge_id else None
    )
    seen = Seen(row.availability, row.last_seen)
    bridge_seen = Seen(bridge.availability, bridge.last_seen) if bridge is not None else None
    return availability(seen, bridge_seen, True, now or utcnow(), stale_after_s)
