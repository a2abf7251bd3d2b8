"""Who may call the floor: enrolled devices, open sessions and roles (deny by default).

HTTP: the rules "device" and "session[:roles]" are `AUTHENTICATORS` that create_app hands
to server.api.routing, so every floor route carries `view.access_rule` like the OMS
routes. Socket.IO: every event of the `/kiosk` namespace is declared with
`socket_event(name, rule)`, which checks the rule on each event, and installed on the
Socket.IO server by create_app (`install_socket_events`); tests enumerate both and fail
for anything without a rule.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import peewee
from flask import g, request

from server import rawsql
from server.errors import BUSY, Forbidden, Unauthorized, Unavailable, unavailable
from server.floor import auth, kiosks, rules
from server.floor.inputs import SessionEnded
from server.floor.push import NAMESPACE
from server.floor.sessions import EndSession, open_session_with_operator
from server.models import FloorOperator, FloorSession, KioskDevice, utcnow
from server.realtime import socketio
from server.runtime import runtime
from server.spine import SYSTEM

log = logging.getLogger(__name__)

DEVICE_HEADER = ("X-Device-Token", True, "The kiosk's device token from /enroll")
SESSION_HEADERS = (
    DEVICE_HEADER,
    ("Authorization", True, "`Bearer <session token>` from POST /sessions"),
)
# (namespace, event) -> access rule, for every Socket.IO handler we register.
SOCKET_RULES: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class Caller:
    device: KioskDevice
    session: FloorSession | None = None
    operator: FloorOperator | None = None


def device_from(token: str | None) -> KioskDevice:
    device = kiosks.device_by_token(token)
    if device is None:
        raise Unauthorized("this kiosk is not enrolled (or was revoked): enroll it again")
    kiosks.touch(device)
    return device


def session_from(device: KioskDevice, token: str | None, rule: str) -> Caller:
    secret = (token or "").removeprefix("Bearer ").strip()
    # one hand-written statement: it runs on every floor call (server/rawsql.py)
    where = 's."token_hash" = ? AND s."device_id" = ?'
    found = open_session_with_operator(where, [auth.digest(secret), device.device_id])
    if found is None or not found[1].active:
        raise SessionEnded("no open session for this token: log in again")
    return _checked(device, *found, rule)


@functools.cache
def _caller_sql() -> str:
    models = (("d", KioskDevice), ("s", FloorSession), ("o", FloorOperator))
    cols = ", ".join(rawsql.columns(alias, model) for alias, model in models)
    return (
        f'SELECT {cols} FROM "kiosk_device" d '
        'JOIN "floor_session" s ON s."device_id" = d."device_id" '
        'JOIN "floor_operator" o ON o."id" = s."operator" '
        'WHERE d."token_hash" = ? AND d."revoked_at" IS NULL '
        'AND s."token_hash" = ? AND s."ended_at" IS NULL LIMIT 1'
    )


def session_caller(device_token: str | None, authorization: str | None, rule: str) -> Caller:
    """The device, its open session and the operator in one statement (every floor input
    reads them); when any is missing, `device_from` and `session_from` say which."""
    secret = (authorization or "").removeprefix("Bearer ").strip()
    if device_token:
        params = [auth.digest(device_token.strip()), auth.digest(secret)]
        row = rawsql.execute(_caller_sql(), params).fetchone()
        if row is not None:
            joined = (KioskDevice, FloorSession, FloorOperator)
            device, session, operator = rawsql.build_joined(joined, row)
            if operator.active:
                kiosks.touch(device)
                return _checked(device, session, operator, rule)
    return session_from(device_from(device_token), authorization, rule)


def _checked(
    device: KioskDevice, session: FloorSession, operator: FloorOperator, rule: str
) -> Caller:
    idle_s = runtime().settings.section("floor").idle_timeout_s
    if rules.is_idle(session.last_seen, utcnow(), idle_s):
        runtime().spine.execute(EndSession(session.session_id, "idle"), SYSTEM)
        raise SessionEnded("the session expired after being idle: log in again")
    if not rules.rule_allows(rule, frozenset(operator.roles)):
        raise Forbidden("your roles do not allow this")
    return Caller(device, session, operator)


def _http(rule: str) -> None:
    token = request.headers.get("X-Device-Token")
    if rule == "device":
        g.floor = Caller(device_from(token))
        return
    g.floor = session_caller(token, request.headers.get("Authorization"), rule)


def caller() -> Caller:
    return g.floor


# Access rules that are not API-key scopes, by the part before ":" (server/api/routing.py).
AUTHENTICATORS: dict[str, Callable[[str], None]] = {"device": _http, "session": _http}
# Declared Socket.IO handlers: (namespace, event, handler), installed by create_app.
SOCKET_HANDLERS: list[tuple[str, str, Callable[..., Any]]] = []


def socket_event(
    event: str, rule: str, namespace: str = NAMESPACE
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a Socket.IO handler with its access rule (checked by the handler itself).
    Whatever the handler raises, the client gets an ack (`failed_ack`), never silence: a
    kiosk waiting for one would sit out its timeout and show nothing."""
    if not rules.valid_rule(rule):
        raise ValueError(f"unknown access rule {rule!r}")

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        SOCKET_RULES[(namespace, event)] = rule

        @functools.wraps(fn)
        def handler(*args: Any) -> Any:
            try:
                return fn(*args)
            except Exception as exc:
                return failed_ack(event, exc)

        handler.access_rule = rule
        SOCKET_HANDLERS.append((namespace, event, handler))
        return handler

    return register


def failed_ack(event: str, exc: Exception) -> Any:
    """The ack of an event whose handler raised: a database that cannot take the work (no
    connection, a full disk) is the HTTP API's 503, so the kiosk keeps the input queued and
    sends it again; anything else is logged and a 500. A refused `connect` is False."""
    refused = unavailable(exc)
    if refused is None and isinstance(exc, peewee.OperationalError | peewee.InterfaceError):
        refused = Unavailable(BUSY)
    if refused is None:
        log.exception("unhandled error on the Socket.IO event %s", event)
        status, detail, extra = 500, "an unexpected error happened; it was logged", {}
    else:
        log.warning("Socket.IO event %s not taken: %s (%s)", event, refused.title, exc)
        status, detail = 503, refused.detail
        extra = {"retry_after_s": refused.retry_after_s}
    if event == "connect":
        return False
    return {"error": {"status": status, "detail": detail, **extra}, "screen": None}


_installed: set[tuple[str, str]] = set()


def install_socket_events() -> None:
    """Hand the declared handlers to the Socket.IO extension, before its init_app (each
    once per process: the extension keeps them for every app it is attached to)."""
    for namespace, event, handler in SOCKET_HANDLERS:
        if (namespace, event) not in _installed:
            _installed.add((namespace, event))
            socketio.on_event(event, handler, namespace=namespace)
