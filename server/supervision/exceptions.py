"""Raising and resolving supervisor exceptions, always with their event.

Other areas call `raise_exception(unit, ...)` inside their handler (a short pick, a
dead-lettered webhook); the row and the `exception.raised` event commit with their change.
The event's subject is the exception itself (`exception:<id>`), so raised and resolved
form one stream; `data.subject` names what it is about (`order:WEB-1`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from server.db import for_update
from server.errors import Conflict, NotFound
from server.ids import new_id
from server.models import SupervisorException, isoformat, utcnow
from server.models.sync import ExceptionStatus
from server.spine import Handlers, Unit
from server.supervision.events import ExceptionRaised, ExceptionResolved

HANDLERS = Handlers()


def exception_view(row: SupervisorException) -> dict[str, Any]:
    return {
        "id": row.exception_id,
        "kind": row.kind,
        "subject": row.subject,
        "message": row.message,
        "data": row.data,
        "status": row.status,
        "raised_at": isoformat(row.raised_at),
        "resolved_at": isoformat(row.resolved_at),
        "resolved_by": row.resolved_by,
        "resolution": row.resolution,
    }


def raise_exception(
    unit: Unit, *, kind: str, subject: str, message: str, data: dict[str, Any] | None = None
) -> SupervisorException:
    """Open an exception for supervisors and record `exception.raised` in this unit."""
    row = SupervisorException.create(
        exception_id=new_id("exc"),
        kind=kind,
        subject=subject,
        message=message[:1000],
        data=data or {},
    )
    unit.record(ExceptionRaised(exception_view(row)))
    return row


@dataclass(frozen=True)
class ResolveException:
    exception_id: str
    resolution: str = ""


@HANDLERS.handles(ResolveException)
def resolve_exception(cmd: ResolveException, unit: Unit) -> dict[str, Any]:
    query = SupervisorException.select().where(SupervisorException.exception_id == cmd.exception_id)
    row = for_update(query).first()
    if row is None:
        raise NotFound(f"no exception {cmd.exception_id}")
    if row.status == ExceptionStatus.RESOLVED:
        raise Conflict(f"exception {cmd.exception_id} is already resolved")
    return _resolve(row, cmd.resolution, unit)


def resolve_open(unit: Unit, *, kind: str, subject: str, resolution: str) -> None:
    """Resolve the open exceptions of `kind` about `subject`: what they asked for was done."""
    query = SupervisorException.select().where(
        SupervisorException.kind == kind,
        SupervisorException.subject == subject,
        SupervisorException.status == ExceptionStatus.OPEN,
    )
    for row in for_update(query):
        _resolve(row, resolution, unit)


def _resolve(row: SupervisorException, resolution: str, unit: Unit) -> dict[str, Any]:
    row.status = ExceptionStatus.RESOLVED
    row.resolved_at = utcnow()
    row.resolved_by = str(unit.actor)
    row.resolution = resolution[:1000]
    row.save()
    view = exception_view(row)
    unit.record(ExceptionResolved(view))
    return view
