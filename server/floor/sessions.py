"""Operator sessions: login (with PIN lockout), logout, and finding the sessions of a person
or a station."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import peewee

from server import rawsql, writes
from server.db import database
from server.floor import auth, rules, screens
from server.floor.events import OperatorLocked, SessionEnded, SessionStarted
from server.floor.flow import Operator, flows_of, notices
from server.ids import new_id
from server.models import BadgeLock, FloorOperator, FloorSession, PinFailure, utcnow
from server.spine import Handlers, Unit

HANDLERS = Handlers()

# The session row (flow, scratch state, last screen, last seen) and failed PINs are the
# machinery's bookkeeping; logins, logouts and locks are recorded as events.
writes.exempt("floor_session", "pin_failure")

OPEN = FloorSession.ended_at.is_null()


def open_session(session_id: str) -> FloorSession | None:
    where = '"session_id" = ? AND "ended_at" IS NULL'  # hand-written: every input reads it
    return rawsql.select_one(FloorSession, where, [session_id])


def session_screen(session_id: str) -> dict[str, Any] | None:
    """The last screen of a session (read on its own where `open_session_with_operator`
    was asked not to read it)."""
    sql = 'SELECT "screen" FROM "floor_session" WHERE "session_id" = ?'
    found = rawsql.execute(sql, [session_id]).fetchone()
    return None if found is None else FloorSession.screen.python_value(found[0])


@functools.cache
def _with_operator_sql(where: str, lock: bool, screen: bool = True) -> str:
    unread = () if screen else ("screen",)
    cols = f"{rawsql.columns('s', FloorSession, unread)}, {rawsql.columns('o', FloorOperator)}"
    sql = (
        f'SELECT {cols} FROM "floor_session" s JOIN "floor_operator" o ON o."id" = s."operator" '
        f'WHERE s."ended_at" IS NULL AND {where} LIMIT 1'
    )
    return sql + " FOR UPDATE OF s" if lock else sql


def open_session_with_operator(
    where: str, params: list[Any], lock: bool = False, screen: bool = True
) -> tuple[FloorSession, FloorOperator] | None:
    """An open session matching `where` (columns as `s."col"`) and its operator, in one
    hand-written statement (every floor input reads both, twice); `lock`: FOR UPDATE of the
    session (PostgreSQL; SQLite already holds the write lock). `screen=False`: the session's
    last screen is not read (its `screen` is None): an input replaces it, and decoding it
    cost ~2 % of an input's CPU (`session_screen` reads it where it is needed)."""
    sql = _with_operator_sql(where, lock and bool(database.obj.for_update), screen)
    row = rawsql.execute(sql, params).fetchone()
    if row is None:
        return None
    session, operator = rawsql.build_joined((FloorSession, FloorOperator), row)
    return session, operator


def sessions_of_operator(operator: int | str) -> list[str]:
    """Open session ids of an operator, by operator id or by badge."""
    if isinstance(operator, str):
        where = FloorSession.badge == operator
    else:
        where = FloorSession.operator == operator
    query = FloorSession.select(FloorSession.session_id).where(where & OPEN)
    return [row.session_id for row in query.order_by(FloorSession.started_at)]


def session_at_station(station: str) -> str | None:
    """The session open at a station (the latest login there wins)."""
    row = (
        FloorSession.select(FloorSession.session_id)
        .where((FloorSession.station == station) & OPEN)
        .order_by(FloorSession.started_at.desc())
        .first()
    )
    return row.session_id if row else None


def end_sessions(where: peewee.Expression, reason: str, unit: Unit) -> list[str]:
    """End the open sessions matching `where`, recording `session.ended` for each."""
    rows = list(FloorSession.select().where(where & OPEN))
    if not rows:
        return []
    ids = [r.session_id for r in rows]
    FloorSession.update(ended_at=utcnow(), end_reason=reason).where(
        FloorSession.session_id.in_(ids)
    ).execute()
    for row in rows:
        unit.record(SessionEnded(row.badge, row.session_id, row.device_id, reason))
    return ids


@dataclass(frozen=True)
class Login:
    device_id: str
    station: str | None
    badge: str
    pin_ok: bool
    attempts: int
    window_s: float


@HANDLERS.handles(Login)
def login(cmd: Login, unit: Unit) -> dict[str, Any]:
    row = FloorOperator.get_or_none(FloorOperator.badge == cmd.badge)
    pin_ok = cmd.pin_ok and row is not None and row.active
    decision = pin_attempt(cmd.badge, pin_ok, cmd.device_id, cmd.attempts, cmd.window_s, unit)
    if decision != "ok" or row is None:
        return {"outcome": decision}
    return {"outcome": "ok", **_start(cmd, row, unit)}


def pin_attempt(
    badge: str, pin_ok: bool, device_id: str, attempts: int, window_s: float, unit: Unit
) -> str:
    """One PIN typed for `badge` (a login, or a supervisor's approval at a station): "ok",
    "failed", "lock_now" (this failure locked the badge) or "locked" (it already was).
    Failures are counted in the window and lock the badge as for a login."""
    now = utcnow()
    locked = BadgeLock.get_or_none(BadgeLock.badge == badge) is not None
    failures = (
        PinFailure.select()
        .where(
            (PinFailure.badge == badge)
            & (PinFailure.failed_at >= rules.window_start(now, window_s))
        )
        .count()
    )
    decision = rules.login_decision(locked, pin_ok, failures, attempts)
    if decision in ("failed", "lock_now"):
        PinFailure.create(badge=badge, device_id=device_id, failed_at=now)
    if decision == "lock_now":
        BadgeLock.create(badge=badge, device_id=device_id, locked_at=now)
        unit.record(OperatorLocked(badge, device_id))
    return decision


def _start(cmd: Login, row: FloorOperator, unit: Unit) -> dict[str, Any]:
    PinFailure.delete().where(PinFailure.badge == row.badge).execute()
    where = FloorSession.device_id == cmd.device_id
    if cmd.station:
        where = where | (FloorSession.station == cmd.station)
    end_sessions(where, "replaced", unit)
    operator = Operator(row.id, row.badge, row.name, frozenset(row.roles))
    flows = flows_of(unit).values()
    said = notices(flows, operator.roles, cmd.station)
    screen = screens.home(operator, flows, notices=said).to_json()
    token = auth.new_token("fls")
    session = FloorSession.create(
        session_id=new_id("ses"),
        token_hash=auth.digest(token),
        operator=row.id,
        badge=row.badge,
        device_id=cmd.device_id,
        station=cmd.station,
        screen=screen,
    )
    unit.record(SessionStarted(row.badge, session.session_id, cmd.device_id, cmd.station))
    return {"session_id": session.session_id, "token": token, "screen": screen}


@dataclass(frozen=True)
class EndSession:
    session_id: str
    reason: str


@HANDLERS.handles(EndSession)
def end_session(cmd: EndSession, unit: Unit) -> dict[str, Any]:
    ended = end_sessions(FloorSession.session_id == cmd.session_id, cmd.reason, unit)
    return {"session_id": cmd.session_id, "ended": bool(ended)}


@dataclass(frozen=True)
class ExpireIdleSessions:
    idle_timeout_s: float


@HANDLERS.handles(ExpireIdleSessions)
def expire_idle_sessions(cmd: ExpireIdleSessions, unit: Unit) -> list[str]:
    cutoff = rules.window_start(utcnow(), cmd.idle_timeout_s)
    return end_sessions(FloorSession.last_seen < cutoff, "idle", unit)
