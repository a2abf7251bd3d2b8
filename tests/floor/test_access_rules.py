"""Deny by default: every route and every Socket.IO event declares an access rule."""

from __future__ import annotations

import pytest
from flask import Flask

from server.floor import rules
from server.floor.access import SOCKET_RULES
from server.realtime import socketio

KNOWN_RULES = {"public", "oms", "admin"}


def test_every_http_route_has_an_access_rule(app: Flask) -> None:
    missing = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        access = getattr(view, "access_rule", None)
        if access is None or not (access in KNOWN_RULES or rules.valid_rule(access)):
            missing.append(f"{sorted(rule.methods or [])} {rule.rule} -> {access!r}")
    assert not missing, "routes without an explicit access rule:\n" + "\n".join(missing)


def test_every_socket_event_has_an_access_rule(app: Flask) -> None:
    registered = {
        (namespace, event)
        for namespace, events in socketio.server.handlers.items()
        for event in events
    }
    assert registered, "no Socket.IO handlers registered"
    missing = sorted(registered - set(SOCKET_RULES))
    assert not missing, f"Socket.IO events without an access rule: {missing}"


@pytest.mark.parametrize(
    ("rule", "roles", "allowed"),
    [
        ("session", frozenset(), True),
        ("session:supervisor,admin", frozenset({"picker"}), False),
        ("session:supervisor,admin", frozenset({"admin"}), True),
        ("session:supervisor", frozenset({"supervisor", "picker"}), True),
    ],
)
def test_rule_allows(rule: str, roles: frozenset[str], allowed: bool) -> None:
    assert rules.rule_allows(rule, roles) is allowed


@pytest.mark.parametrize(
    ("locked", "pin_ok", "before", "decision"),
    [
        (True, True, 0, "locked"),
        (False, True, 4, "ok"),
        (False, False, 0, "failed"),
        (False, False, 3, "failed"),
        (False, False, 4, "lock_now"),
    ],
)
def test_login_decision(locked: bool, pin_ok: bool, before: int, decision: str) -> None:
    assert rules.login_decision(locked, pin_ok, before, attempts=5) == decision


@pytest.mark.parametrize(
    ("rule", "valid"),
    [("public", True), ("device", True), ("session:picker", True), ("session:wizard", False)],
)
def test_valid_rule(rule: str, valid: bool) -> None:
    assert rules.valid_rule(rule) is valid
