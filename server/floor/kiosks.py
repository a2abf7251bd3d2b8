"""Kiosk devices: created with a one-time enrollment code, enrolled for a device token,
revoked (which ends their sessions). `list_kiosks()` feeds GET /api/v1/devices.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from server import rawsql
from server.db import database
from server.errors import Conflict, InvalidInput, NotFound, Unauthorized, field_error
from server.floor import auth, sockets_registry
from server.floor.events import KioskCreated, KioskEnrolled, KioskRevoked
from server.floor.sessions import OPEN, end_sessions
from server.models import KIOSK_KINDS, FloorSession, KioskDevice, isoformat, utcnow
from server.spine import Handlers, Unit

HANDLERS = Handlers()

ONLINE_WITHIN_S = 60.0  # an HTTP-only client counts as online this long after its last call
TOUCH_EVERY_S = 15.0


def enrollment_state(row: KioskDevice) -> str:
    if row.revoked_at is not None:
        return "revoked"
    return "enrolled" if row.token_hash else "pending"


def kiosk_json(row: KioskDevice) -> dict[str, Any]:
    session = (
        FloorSession.select(FloorSession.session_id, FloorSession.badge)
        .where((FloorSession.device_id == row.device_id) & OPEN)
        .first()
    )
    return _json(row, session)


def _json(row: KioskDevice, session: FloorSession | None) -> dict[str, Any]:
    now = utcnow()
    recent = row.last_seen is not None and (now - row.last_seen).total_seconds() < ONLINE_WITHIN_S
    online = sockets_registry.device_connected(row.device_id) or recent
    return {
        "id": row.device_id,
        "kind": row.kind,
        "station": row.station,
        "availability": "online" if online and row.token_hash else "offline",
        "last_seen": isoformat(row.last_seen),
        "state": {
            "enrollment": enrollment_state(row),
            "session": {"session_id": session.session_id, "badge": session.badge}
            if session
            else None,
        },
    }


def list_kiosks() -> list[dict[str, Any]]:
    """Every kiosk device: id, kind, station, availability, last_seen, state. Two statements
    however many kiosks: GET /api/v1/devices and the board's devices part list them on every
    refresh, and a hundred handhelds were a hundred statements."""
    open_sessions = (
        FloorSession.select(FloorSession.device_id, FloorSession.session_id, FloorSession.badge)
        .where(OPEN)
        .order_by(FloorSession.started_at)
    )  # the latest of a kiosk's open sessions wins (a kiosk has one)
    sessions = {session.device_id: session for session in open_sessions}
    rows = KioskDevice.select().order_by(KioskDevice.device_id)
    return [_json(row, sessions.get(row.device_id)) for row in rows]


def find(device_id: str) -> KioskDevice:
    row = KioskDevice.get_or_none(KioskDevice.device_id == device_id)
    if row is None:
        raise NotFound(f"no kiosk device {device_id}")
    return row


def device_by_token(token: str | None) -> KioskDevice | None:
    if not token:
        return None
    row = rawsql.select_one(KioskDevice, '"token_hash" = ?', [auth.digest(token.strip())])
    if row is None or row.revoked_at is not None:
        return None
    return row


def touch(row: KioskDevice) -> None:
    """Remember when the device was last heard (at most every TOUCH_EVERY_S, outside commands)."""
    now = utcnow()
    if row.last_seen is None or (now - row.last_seen).total_seconds() > TOUCH_EVERY_S:
        # In a transaction, so it queues on this process's writer lock (server.db
        # SerializedWriters) like every other write: an autocommit UPDATE waited in SQLite's
        # busy handler instead, sleeping up to 100 ms a turn behind the floor's group commits
        # (a latency tail, and "database busy" 503s past the busy timeout).
        with database.atomic():
            rawsql.update_one(KioskDevice, row.device_id, {"last_seen": now})


@dataclass(frozen=True)
class AddKiosk:
    device_id: str
    kind: str
    station: str | None
    ttl_s: float


@HANDLERS.handles(AddKiosk)
def add_kiosk(cmd: AddKiosk, unit: Unit) -> dict[str, Any]:
    if cmd.kind not in KIOSK_KINDS:
        raise InvalidInput("kind is handheld or station", [field_error("kind", "unknown kind")])
    if cmd.kind == "station" and not cmd.station:
        raise InvalidInput(
            "a station kiosk needs its station", [field_error("station", "required")]
        )
    row = KioskDevice.get_or_none(KioskDevice.device_id == cmd.device_id)
    if row is not None and enrollment_state(row) == "enrolled":
        raise Conflict(f"kiosk {cmd.device_id} is enrolled; revoke it before re-enrolling")
    code = auth.new_code()
    values = {
        "kind": cmd.kind,
        "station": cmd.station or None,
        "code_hash": auth.digest(code),
        "code_expires_at": utcnow() + timedelta(seconds=cmd.ttl_s),
        "token_hash": None,
        "enrolled_at": None,
        "revoked_at": None,
    }
    if row is None:
        KioskDevice.create(device_id=cmd.device_id, **values)
    else:
        KioskDevice.update(**values).where(KioskDevice.device_id == cmd.device_id).execute()
    unit.record(KioskCreated(cmd.device_id, cmd.kind, cmd.station or None))
    return {**kiosk_json(find(cmd.device_id)), "enrollment_code": code}


def _fresh(row: KioskDevice) -> bool:
    return row.code_expires_at is not None and row.code_expires_at >= utcnow()


@dataclass(frozen=True)
class EnrollKiosk:
    code: str


@HANDLERS.handles(EnrollKiosk)
def enroll_kiosk(cmd: EnrollKiosk, unit: Unit) -> dict[str, Any]:
    code = auth.normalise_code(cmd.code)
    row = KioskDevice.get_or_none(KioskDevice.code_hash == auth.digest(code)) if code else None
    if row is None or row.revoked_at is not None or not _fresh(row):
        raise Unauthorized("this enrollment code is not valid or has expired; ask for a new one")
    token = auth.new_token("fld")
    KioskDevice.update(
        token_hash=auth.digest(token), code_hash=None, code_expires_at=None, enrolled_at=utcnow()
    ).where(KioskDevice.device_id == row.device_id).execute()
    unit.record(KioskEnrolled(row.device_id, row.kind))
    return {
        "device_id": row.device_id,
        "device_token": token,
        "kind": row.kind,
        "station": row.station,
    }


@dataclass(frozen=True)
class RevokeKiosk:
    device_id: str


@HANDLERS.handles(RevokeKiosk)
def revoke_kiosk(cmd: RevokeKiosk, unit: Unit) -> dict[str, Any]:
    row = find(cmd.device_id)
    if row.revoked_at is None:
        KioskDevice.update(revoked_at=utcnow(), token_hash=None, code_hash=None).where(
            KioskDevice.device_id == row.device_id
        ).execute()
        end_sessions(FloorSession.device_id == row.device_id, "device_revoked", unit)
        unit.record(KioskRevoked(row.device_id))
    return kiosk_json(find(cmd.device_id))
