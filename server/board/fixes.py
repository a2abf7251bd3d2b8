"""Applying a fix from the board: ONE spine command per tap (`ApplyFix`), with the supervisor
as actor, in one transaction: the fix's change (the area's own handler, run inside this
unit), then the exception resolved or acknowledged, each with its event (the audit trail).

Who may apply a fix is checked here, on the server, whatever door the command came by: the
operator behind the actor must hold one of the fix's roles (deny by default)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from server.board import catalogue, waves
from server.board.events import ExceptionAcknowledged
from server.db import for_update
from server.errors import Conflict, Forbidden, InvalidInput, NotFound, field_error
from server.models import (
    OPERATOR_ROLES,
    BadgeLock,
    FloorOperator,
    Order,
    OrderHold,
    SupervisorException,
)
from server.models.board import ExceptionAck
from server.models.picking import PickWave
from server.models.sync import ExceptionStatus
from server.picking.waves import RELEASE_HOLDER, WAITING
from server.spine import Actor, Handlers, Unit
from server.supervision.exceptions import ResolveException, exception_view, resolve_exception

HANDLERS = Handlers()
MAX_TEXT = 500


@dataclass(frozen=True)
class ApplyFix:
    item: str  # an exception id (exc_...), or a live item: badge:<badge>, wave:<wave id>
    fix: str
    value: str | None = None  # what the supervisor chose: a badge, a reason, a number


# The floorlink CLI's user and the server itself (a test, a tool in-process) stand above
# the floor's roles; API keys never run a board fix (no API route does).
TRUSTED = ("cli", "system")


def roles_of(actor: Actor) -> frozenset[str]:
    """The roles behind an actor: an operator's own; every role for the CLI and the system;
    none for anyone else."""
    if actor.kind in TRUSTED:
        return frozenset(OPERATOR_ROLES)
    if actor.kind != "operator":
        return frozenset()
    row = FloorOperator.get_or_none(FloorOperator.badge == actor.id)
    if row is None or not row.active:
        return frozenset()
    return frozenset(row.roles or [])


def _live_view(item: str) -> dict[str, Any]:
    if item.startswith("badge:"):
        badge = item.removeprefix("badge:")
        if BadgeLock.get_or_none(BadgeLock.badge == badge) is None:
            raise Conflict(f"badge {badge} is not locked any more")
        return {"id": item, "kind": catalogue.BADGE_LOCKED, "subject": item, "data": {}, "live": 1}
    if item == catalogue.WAVE_ITEM:
        if not waiting_for_release():
            raise Conflict("no order waits for a wave")
        return {"id": item, "kind": catalogue.WAVE_WAITING, "subject": item, "data": {}, "live": 1}
    if item.startswith(catalogue.WAVE_PREFIX):
        wave_id = item.removeprefix(catalogue.WAVE_PREFIX)
        wave = PickWave.get_or_none(PickWave.wave_id == wave_id)
        if wave is None:
            raise NotFound(f"no wave {wave_id}")
        return waves.item_view(wave_id, wave.status)
    raise NotFound(f"no board item {item}")


def waiting_for_release() -> int:
    """Orders held until a supervisor releases a wave (picking.release = "manual")."""
    return int(
        OrderHold.select()
        .join(Order)
        .where(OrderHold.held_by == RELEASE_HOLDER, Order.status.in_(WAITING))
        .count()
    )


@HANDLERS.handles(ApplyFix)
def apply_fix(cmd: ApplyFix, unit: Unit) -> dict[str, Any]:
    kinds = unit.env.exception_kinds if unit.env is not None else {}
    value = cmd.value.strip()[:MAX_TEXT] if isinstance(cmd.value, str) else None
    row = None
    if cmd.item.startswith("exc_"):
        query = SupervisorException.select().where(SupervisorException.exception_id == cmd.item)
        row = for_update(query).first()
        if row is None:
            raise NotFound(f"no exception {cmd.item}")
        if row.status == ExceptionStatus.RESOLVED:
            raise Conflict(f"exception {cmd.item} is already resolved (by {row.resolved_by})")
        view = exception_view(row)
        view["acknowledged"] = ExceptionAck.get_or_none(ExceptionAck.exception_id == cmd.item)
    else:
        view = _live_view(cmd.item)
    fix = catalogue.fix_of(kinds, view, cmd.fix)
    if fix is None:
        raise InvalidInput(
            "that fix is not offered for this item", [field_error("fix", f"not {cmd.fix!r}")]
        )
    if not fix.roles & roles_of(unit.actor):
        raise Forbidden(f"your roles may not {fix.label.lower().rstrip('…')}")
    if fix.choose and not value:
        raise InvalidInput(f"{fix.label}: choose first", [field_error("value", fix.choose)])
    if fix.id == catalogue.ACKNOWLEDGE:
        return _acknowledge(row, value or "", unit)
    done = fix.run(unit, view, value)
    if row is not None and fix.resolves:
        resolution = value if fix.id == catalogue.RESOLVE else f"{fix.label}: {done}"
        _resolve_unless_done(row.exception_id, resolution or fix.label, unit)
    return {"item": cmd.item, "fix": fix.id, "done": done or fix.label}


def _acknowledge(row: SupervisorException | None, note: str, unit: Unit) -> dict[str, Any]:
    if row is None:
        raise InvalidInput("only an exception is acknowledged", [field_error("item", "exc_...")])
    ExceptionAck.create(exception_id=row.exception_id, by=str(unit.actor), note=note)
    unit.record(ExceptionAcknowledged(row.exception_id, row.kind, str(unit.actor), note))
    return {"item": row.exception_id, "fix": catalogue.ACKNOWLEDGE, "done": "acknowledged"}


def _resolve_unless_done(exception_id: str, resolution: str, unit: Unit) -> None:
    """The fix's own handler may have resolved it already (a put-back completed)."""
    current = SupervisorException.get(SupervisorException.exception_id == exception_id)
    if current.status != ExceptionStatus.RESOLVED:
        resolve_exception(ResolveException(exception_id, resolution), unit)
