"""Operators: created, changed, disabled and re-PINned through the spine (one event each).

A change of roles or a disable ends the operator's open sessions in the same transaction,
so open sockets are logged out right after commit (server/floor/push.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from server.db import for_update
from server.errors import Conflict, InvalidInput, NotFound, field_error
from server.floor import auth, rules
from server.floor.events import OperatorChanged, OperatorCreated, OperatorPinReset, OperatorUnlocked
from server.floor.flow import Operator
from server.floor.sessions import end_sessions
from server.models import BadgeLock, FloorOperator, FloorSession, PinFailure, isoformat, utcnow
from server.spine import Handlers, Unit

HANDLERS = Handlers()


def as_operator(row: FloorOperator) -> Operator:
    return Operator(row.id, row.badge, row.name, frozenset(row.roles))


def operator_json(row: FloorOperator) -> dict[str, Any]:
    locked = BadgeLock.get_or_none(BadgeLock.badge == row.badge)
    return {
        "badge": row.badge,
        "name": row.name,
        "roles": sorted(row.roles),
        "active": row.active,
        "locked": locked is not None,
        "created_at": isoformat(row.created_at),
        "updated_at": isoformat(row.updated_at),
    }


def _check_roles(roles: tuple[str, ...]) -> None:
    unknown = rules.bad_roles(roles)
    if not roles or unknown:
        detail = f"unknown roles: {', '.join(unknown)}" if unknown else "give at least one role"
        raise InvalidInput(detail, [field_error("roles", detail)])


def _check_pin(pin: str) -> None:
    problem = auth.valid_pin(pin)
    if problem:
        raise InvalidInput(problem, [field_error("pin", problem)])


def find(badge: str) -> FloorOperator:
    row = FloorOperator.get_or_none(FloorOperator.badge == badge)
    if row is None:
        raise NotFound(f"no operator with badge {badge}")
    return row


@dataclass(frozen=True)
class AddOperator:
    badge: str
    name: str
    roles: tuple[str, ...]
    pin_hash: str


@HANDLERS.handles(AddOperator)
def add_operator(cmd: AddOperator, unit: Unit) -> dict[str, Any]:
    _check_roles(cmd.roles)
    if FloorOperator.get_or_none(FloorOperator.badge == cmd.badge) is not None:
        raise Conflict(f"an operator with badge {cmd.badge} already exists")
    row = FloorOperator.create(
        badge=cmd.badge, name=cmd.name, roles=sorted(set(cmd.roles)), pin_hash=cmd.pin_hash
    )
    unit.record(OperatorCreated(row.badge, row.roles))
    return operator_json(row)


@dataclass(frozen=True)
class ChangeOperator:
    badge: str
    name: str | None = None
    roles: tuple[str, ...] | None = None
    active: bool | None = None


@HANDLERS.handles(ChangeOperator)
def change_operator(cmd: ChangeOperator, unit: Unit) -> dict[str, Any]:
    row = find(cmd.badge)
    changes: dict[str, Any] = {}
    if cmd.roles is not None:
        _check_roles(cmd.roles)
        if sorted(set(cmd.roles)) != sorted(row.roles):
            changes["roles"] = sorted(set(cmd.roles))
    if cmd.name is not None and cmd.name != row.name:
        changes["name"] = cmd.name
    if cmd.active is not None and cmd.active != row.active:
        changes["active"] = cmd.active
    if not changes:
        return operator_json(row)
    FloorOperator.update(updated_at=utcnow(), **changes).where(FloorOperator.id == row.id).execute()
    unit.record(OperatorChanged(row.badge, changes))
    if "roles" in changes or changes.get("active") is False:
        reason = "disabled" if changes.get("active") is False else "roles_changed"
        end_sessions(FloorSession.operator == row.id, reason, unit)
    return operator_json(find(cmd.badge))


@dataclass(frozen=True)
class ResetPin:
    badge: str
    pin_hash: str


@HANDLERS.handles(ResetPin)
def reset_pin(cmd: ResetPin, unit: Unit) -> dict[str, Any]:
    row = find(cmd.badge)
    FloorOperator.update(pin_hash=cmd.pin_hash, updated_at=utcnow()).where(
        FloorOperator.id == row.id
    ).execute()
    _clear_lock(row.badge)
    unit.record(OperatorPinReset(row.badge))
    return operator_json(row)


@dataclass(frozen=True)
class UnlockBadge:
    badge: str


@HANDLERS.handles(UnlockBadge)
def unlock_badge(cmd: UnlockBadge, unit: Unit) -> dict[str, Any]:
    was_locked = _clear_lock(cmd.badge)
    if was_locked:
        unit.record(OperatorUnlocked(cmd.badge))
    return {"badge": cmd.badge, "unlocked": was_locked}


def _clear_lock(badge: str) -> bool:
    PinFailure.delete().where(PinFailure.badge == badge).execute()
    # No DELETE when there is no lock: the spine counts statements, and unlocking a badge
    # that is not locked changes nothing and records nothing.
    if for_update(BadgeLock.select().where(BadgeLock.badge == badge)).first() is None:
        return False
    BadgeLock.delete().where(BadgeLock.badge == badge).execute()
    return True


def new_pin_hash(pin: str) -> str:
    """Validate a new PIN and hash it (slow: do it before the command, outside its transaction)."""
    _check_pin(pin)
    return auth.hash_pin(pin)
