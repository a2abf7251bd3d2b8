"""MQTT payloads: the event envelope and every other message, encoded and decoded.

:func:`decode_message` turns one received ``(topic, payload)`` into a frozen dataclass —
:class:`BridgeStatus`, :class:`BridgeCommitted`, :class:`Availability`, :class:`DeviceState`,
:class:`DeviceEvent`, :class:`Command` or :class:`CommandReply` — or a :class:`PayloadError` with a message fit
for the log. It never raises, whatever arrives. The ``*_payload`` functions build what the
bridge, the simulator and the server publish.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, Literal

from devices import device_data, mqtt_topics
from devices.confirmations import BridgeCommitted, decode_committed
from devices.device_data import Data
from devices.json_fields import FieldError, Fields

MAX_PAYLOAD = 16 * 1024
ENVELOPE_VERSION = 1
REPLY_STATUSES = ("ok", "expired", "rejected", "failed")

OnlineState = Literal["online", "offline"]
ONLINE_STATES: tuple[OnlineState, ...] = ("online", "offline")


@dataclass(frozen=True)
class PayloadError:
    topic: str
    message: str


@dataclass(frozen=True)
class SpoolStatus:
    """How full a bridge's spool is (in its status; the devices list shows it)."""

    events: int
    capacity: int
    full: bool
    # events the server refused for good (dropped from the spool) since the bridge started
    refused: int = 0
    last_refused: str | None = None  # "<event id>: <the server's reason>"


@dataclass(frozen=True)
class BridgeStatus:
    site: str
    bridge_id: str
    state: OnlineState
    session: str | None
    spool: SpoolStatus | None = None


@dataclass(frozen=True)
class Availability:
    site: str
    device_id: str
    state: OnlineState
    session: str | None
    ts: datetime | None
    bridge: str | None = None


@dataclass(frozen=True)
class DeviceState:
    site: str
    device_id: str
    kind: str
    data: Data


@dataclass(frozen=True)
class DeviceEvent:
    site: str
    device_id: str
    type: str
    event_id: str
    session: str
    seq: int
    ts: datetime
    historical: bool
    data: Data
    # Set by a bridge: the bridge that spooled it (it waits for the server's confirmation),
    # and whether it is the oldest event of its device and session the bridge still holds
    # (every earlier one was confirmed, so the server need not have seen seq - 1).
    bridge: str | None = None
    first: bool = False


@dataclass(frozen=True)
class Command:
    site: str
    device_id: str
    name: str
    cmd_id: str
    expires_at: datetime | None
    args: Mapping[str, Any]

    def expired(self, now: datetime | None = None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or datetime.now(UTC))


@dataclass(frozen=True)
class CommandReply:
    site: str
    device_id: str
    name: str
    cmd_id: str
    status: str
    message: str | None
    ts: datetime | None


Message = (
    BridgeStatus
    | BridgeCommitted
    | Availability
    | DeviceState
    | DeviceEvent
    | Command
    | CommandReply
)


def decode_message(topic: str, payload: bytes | bytearray | str) -> Message | PayloadError:
    """Decode one MQTT message of the Floorlink scheme; never raises."""
    parsed = mqtt_topics.parse_topic(topic)
    if parsed is None:
        return PayloadError(topic, f"Not a Floorlink topic: {topic[:200]!r}")
    obj = _json_object(payload)
    if isinstance(obj, str):
        return PayloadError(topic, obj)
    try:
        return DECODERS[parsed.kind](parsed, Fields(obj))
    except FieldError as exc:
        return PayloadError(topic, str(exc))


def _json_object(payload: bytes | bytearray | str) -> dict[str, Any] | str:
    if len(payload) > MAX_PAYLOAD:
        return f"Payload too large: {len(payload)} bytes (max {MAX_PAYLOAD})"
    if not payload:
        return "Empty payload (a cleared retained message)"
    try:
        obj = json.loads(payload, parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError) as exc:
        return f"Not JSON: {exc}"
    if not isinstance(obj, dict):
        return "Payload must be a JSON object"
    return obj


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not allowed")


def _bridge_status(topic: mqtt_topics.Topic, fields: Fields) -> BridgeStatus:
    fields.only("state", "session", "ts", "spool")
    state = fields.choice("state", ONLINE_STATES)
    spool = None
    if fields.obj.get("spool") is not None:
        inner = Fields.nested(fields.obj["spool"], "spool")
        inner.only("events", "capacity", "full", "refused", "last_refused")
        counts = [inner.obj.get("events"), inner.obj.get("refused", 0)]
        if any(not isinstance(n, int) or isinstance(n, bool) or n < 0 for n in counts):
            raise FieldError("'events' and 'refused' must be integers >= 0")
        spool = SpoolStatus(
            counts[0],
            inner.positive_int("capacity"),
            inner.flag("full"),
            counts[1],
            inner.optional_text("last_refused"),
        )
    return BridgeStatus(topic.site, topic.subject, state, fields.optional_text("session"), spool)


def _availability(topic: mqtt_topics.Topic, fields: Fields) -> Availability:
    fields.only("state", "session", "ts", "bridge")
    state = fields.choice("state", ONLINE_STATES)
    session = fields.optional_text("session")
    bridge = fields.optional_text("bridge")
    return Availability(topic.site, topic.subject, state, session, fields.optional_ts("ts"), bridge)


def _state(topic: mqtt_topics.Topic, fields: Fields) -> DeviceState:
    result = device_data.state_data(fields.obj)
    if isinstance(result, str):
        raise FieldError(result)
    kind, data = result
    return DeviceState(topic.site, topic.subject, kind, data)


def _event(topic: mqtt_topics.Topic, fields: Fields) -> DeviceEvent:
    fields.only(
        "v",
        "event_id",
        "device_id",
        "session",
        "seq",
        "ts",
        "historical",
        "data",
        "bridge",
        "first",
    )
    if fields.obj.get("v") != ENVELOPE_VERSION:
        raise FieldError(f"Unsupported envelope version {fields.obj.get('v')!r} (expected 1)")
    if fields.text("device_id") != topic.subject:
        raise FieldError(f"device_id {fields.obj['device_id']!r} does not match the topic")
    data = device_data.event_data(topic.name or "", fields.obj.get("data"))
    if isinstance(data, str):
        raise FieldError(data)
    return DeviceEvent(
        site=topic.site,
        device_id=topic.subject,
        type=topic.name or "",
        event_id=fields.text("event_id"),
        session=fields.text("session"),
        seq=fields.positive_int("seq"),
        ts=fields.ts("ts"),
        historical=fields.flag("historical"),
        data=data,
        bridge=fields.optional_text("bridge"),
        first=fields.flag("first") if "first" in fields.obj else False,
    )


def _command(topic: mqtt_topics.Topic, fields: Fields) -> Command:
    cmd_id = fields.text("cmd_id")
    expires_at = fields.optional_ts("expires_at")
    args = {k: v for k, v in fields.obj.items() if k not in ("cmd_id", "expires_at")}
    return Command(
        topic.site, topic.subject, topic.name or "", cmd_id, expires_at, MappingProxyType(args)
    )


def _reply(topic: mqtt_topics.Topic, fields: Fields) -> CommandReply:
    fields.only("cmd_id", "status", "message", "ts")
    return CommandReply(
        site=topic.site,
        device_id=topic.subject,
        name=topic.name or "",
        cmd_id=fields.text("cmd_id"),
        status=fields.choice("status", REPLY_STATUSES),
        message=fields.optional_text("message"),
        ts=fields.optional_ts("ts"),
    )


DECODERS: dict[str, Callable[[mqtt_topics.Topic, Fields], Message]] = {
    "bridge_status": _bridge_status,
    "bridge_committed": decode_committed,
    "availability": _availability,
    "state": _state,
    "event": _event,
    "command": _command,
    "reply": _reply,
}


# -- building payloads -----------------------------------------------------------------


def encode(obj: Mapping[str, Any]) -> bytes:
    """Compact JSON as published (non-ASCII kept as \\u escapes, so GS is \\u001d)."""
    return json.dumps(obj, separators=(",", ":"), allow_nan=False).encode("ascii")


def new_session_id() -> str:
    """A fresh session id: sortable by start time, unique across restarts."""
    return f"{int(time.time()):x}-{secrets.token_hex(4)}"


def utc_timestamp(epoch: float | None = None) -> str:
    """ISO 8601 in UTC with milliseconds, e.g. ``2026-11-23T12:00:00.123Z``."""
    moment = datetime.fromtimestamp(time.time() if epoch is None else epoch, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def event_payload(
    device_id: str,
    session: str,
    seq: int,
    data: Mapping[str, Any],
    *,
    historical: bool = False,
    ts: float | None = None,
    bridge: str | None = None,
) -> dict[str, Any]:
    """The event envelope; ``event_id`` is ``"<device>:<session>:<seq>"``. A bridge names
    itself (``bridge``): the server then confirms the event on the bridge's topic."""
    envelope = {
        "v": ENVELOPE_VERSION,
        "event_id": f"{device_id}:{session}:{seq}",
        "device_id": device_id,
        "session": session,
        "seq": seq,
        "ts": utc_timestamp(ts),
        "historical": historical,
        "data": dict(data),
    }
    if bridge is not None:
        envelope["bridge"] = bridge
    return envelope


def status_payload(
    state: OnlineState,
    session: str,
    ts: float | None = None,
    bridge: str | None = None,
    spool: SpoolStatus | None = None,
) -> dict[str, Any]:
    """A bridge birth / last will, or a device availability ``{state, session, ts}``.

    A device's availability names the ``bridge`` that serves it, so the server can show
    the device offline when that bridge's last will arrives.
    """
    payload: dict[str, Any] = {"state": state, "session": session, "ts": utc_timestamp(ts)}
    if bridge is not None:
        payload["bridge"] = bridge
    if spool is not None:
        payload["spool"] = {"events": spool.events, "capacity": spool.capacity, "full": spool.full}
        if spool.refused:
            payload["spool"] |= {"refused": spool.refused, "last_refused": spool.last_refused}
    return payload


def command_payload(
    cmd_id: str, args: Mapping[str, Any], expires_at: float | None = None
) -> dict[str, Any]:
    payload = {"cmd_id": cmd_id, **args}
    if expires_at is not None:
        payload["expires_at"] = utc_timestamp(expires_at)
    return payload


def reply_payload(cmd_id: str, status: str, message: str | None = None) -> dict[str, Any]:
    if status not in REPLY_STATUSES:
        raise ValueError(f"reply status must be one of {REPLY_STATUSES}")
    reply: dict[str, Any] = {"cmd_id": cmd_id, "status": status, "ts": utc_timestamp()}
    if message:
        reply["message"] = message
    return reply
