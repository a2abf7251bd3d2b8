"""Folding a batch of decoded MQTT messages into registry changes, as a pure function.

Many messages of one device in one batch become ONE change of its registry row (the latest
state, the latest availability, last_seen), so sensor readings never cost a row each.
Events keep their arrival order (per-device order) for de-duplication and routing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from devices import device_data
from devices.payloads import (
    Availability,
    BridgeStatus,
    CommandReply,
    DeviceEvent,
    DeviceState,
    Message,
    SpoolStatus,
)

# What a state or an event tells about the kind of device that sent it.
STATE_KINDS = {
    "scale": "scale",
    "door": "door",
    "temperature": "probe",
    "pick_to_light": "pick_to_light",
    "stack_light": "stack_light",
}
EVENT_KINDS = {
    "scan": "scanner",
    "scan_error": "scanner",
    "weight": "scale",
    "door": "door",
    "temperature": "probe",
    "press": "pick_to_light",
}


@dataclass
class DeviceChange:
    """What a batch changes on one registry row; None means "leave as it is"."""

    device_id: str
    last_seen: datetime
    kind: str | None = None
    bridge_id: str | None = None
    availability: str | None = None
    session: str | None = None
    state: dict[str, Any] | None = None
    replies: list[CommandReply] = field(default_factory=list)


@dataclass
class Batch:
    changes: dict[str, DeviceChange] = field(default_factory=dict)
    events: list[DeviceEvent] = field(default_factory=list)
    ignored: int = 0

    def change(self, device_id: str, now: datetime) -> DeviceChange:
        found = self.changes.get(device_id)
        if found is None:
            found = self.changes[device_id] = DeviceChange(device_id, now)
        return found


def fold(messages: list[Message], now: datetime) -> Batch:
    """The registry changes and the events of a batch, in arrival order."""
    batch = Batch()
    for message in messages:
        _fold_one(batch, message, now)
    return batch


def _fold_one(batch: Batch, message: Message, now: datetime) -> None:
    if isinstance(message, BridgeStatus):
        change = batch.change(message.bridge_id, now)
        change.kind, change.availability = "bridge", message.state
        change.session = message.session
        if message.spool is not None:  # shown as the bridge's state in the devices list
            change.state = {"spool": spool_shown(message.spool)}
    elif isinstance(message, Availability):
        change = batch.change(message.device_id, now)
        change.availability, change.session = message.state, message.session
        if message.bridge:  # a bridge names itself in the availability of its devices
            change.bridge_id = message.bridge
    elif isinstance(message, DeviceState):
        change = batch.change(message.device_id, now)
        change.kind = STATE_KINDS.get(message.kind, message.kind)
        change.state = device_data.as_dict(message.data)
    elif isinstance(message, DeviceEvent):
        change = batch.change(message.device_id, now)
        change.kind = change.kind or EVENT_KINDS.get(message.type)
        batch.events.append(message)
    elif isinstance(message, CommandReply):
        batch.change(message.device_id, now).replies.append(message)
    else:  # our own commands and confirmations, echoed by the site-wide subscription
        batch.ignored += 1


def spool_shown(spool: SpoolStatus) -> dict[str, Any]:
    """A bridge's spool as the devices list shows it: its refusals only once there are."""
    shown = dict(vars(spool))
    if not spool.refused:
        del shown["refused"], shown["last_refused"]
    return shown


def event_summary(event: DeviceEvent) -> dict[str, Any]:
    """The last event of a device as kept on its registry row (and shown by the API)."""
    return {
        "type": event.type,
        "event_id": event.event_id,
        "ts": event.ts.isoformat().replace("+00:00", "Z"),
        "historical": event.historical,
        "data": device_data.as_dict(event.data),
    }
