"""The floor's events (server/events.py): operators, kiosks and sessions.

Operators' and sessions' events have the operator as subject (`operator:<badge>`), kiosks'
the device (`device:<id>`). They are the floor's audit trail; the floor itself listens to
`session.ended` and `kiosk.revoked` to close sockets (server/floor/push.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from server.events import DomainEvent


@dataclass(frozen=True)
class OperatorEvent(DomainEvent):
    badge: str

    @property
    def subject(self) -> str:
        return f"operator:{self.badge}"

    @property
    def data(self) -> dict[str, Any]:
        return {}


@dataclass(frozen=True)
class SessionStarted(OperatorEvent):
    type: ClassVar[str] = "session.started"
    session_id: str
    device_id: str
    station: str | None

    @property
    def data(self) -> dict[str, Any]:
        return {"session_id": self.session_id, "device_id": self.device_id, "station": self.station}


@dataclass(frozen=True)
class SessionEnded(OperatorEvent):
    type: ClassVar[str] = "session.ended"
    session_id: str
    device_id: str
    reason: str  # logout, idle, replaced, device_revoked, disabled, roles_changed, ...

    @property
    def data(self) -> dict[str, Any]:
        return {"session_id": self.session_id, "device_id": self.device_id, "reason": self.reason}


@dataclass(frozen=True)
class OperatorLocked(OperatorEvent):
    """Too many wrong PINs: the badge is locked until a supervisor unlocks it."""

    type: ClassVar[str] = "operator.locked"
    device_id: str

    @property
    def data(self) -> dict[str, Any]:
        return {"device_id": self.device_id}


@dataclass(frozen=True)
class OperatorCreated(OperatorEvent):
    type: ClassVar[str] = "operator.created"
    roles: list[str]

    @property
    def data(self) -> dict[str, Any]:
        return {"roles": self.roles}


@dataclass(frozen=True)
class OperatorChanged(OperatorEvent):
    type: ClassVar[str] = "operator.changed"
    changes: dict[str, Any]  # what changed of roles, name, active: the new values

    @property
    def data(self) -> dict[str, Any]:
        return self.changes


@dataclass(frozen=True)
class OperatorPinReset(OperatorEvent):
    type: ClassVar[str] = "operator.pin_reset"


@dataclass(frozen=True)
class OperatorUnlocked(OperatorEvent):
    type: ClassVar[str] = "operator.unlocked"


@dataclass(frozen=True)
class KioskEvent(DomainEvent):
    device_id: str

    @property
    def subject(self) -> str:
        return f"device:{self.device_id}"

    @property
    def data(self) -> dict[str, Any]:
        return {}


@dataclass(frozen=True)
class KioskCreated(KioskEvent):
    """A kiosk added (or re-added) with a fresh enrollment code (never in the event)."""

    type: ClassVar[str] = "kiosk.created"
    kind: str  # handheld | station
    station: str | None

    @property
    def data(self) -> dict[str, Any]:
        return {"kind": self.kind, "station": self.station}


@dataclass(frozen=True)
class KioskEnrolled(KioskEvent):
    type: ClassVar[str] = "kiosk.enrolled"
    kind: str

    @property
    def data(self) -> dict[str, Any]:
        return {"kind": self.kind}


@dataclass(frozen=True)
class KioskRevoked(KioskEvent):
    type: ClassVar[str] = "kiosk.revoked"


EVENTS = (
    SessionStarted,
    SessionEnded,
    OperatorLocked,
    OperatorCreated,
    OperatorChanged,
    OperatorPinReset,
    OperatorUnlocked,
    KioskCreated,
    KioskEnrolled,
    KioskRevoked,
)
