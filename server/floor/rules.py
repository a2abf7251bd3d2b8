"""Pure rules of floor access: login decisions, idle expiry, roles and access rules."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Literal

from server.models.floor import OPERATOR_ROLES

LoginDecision = Literal["locked", "failed", "lock_now", "ok"]


def login_decision(
    locked: bool, pin_ok: bool, failures_before: int, attempts: int
) -> LoginDecision:
    """What one login attempt leads to; `failures_before` counts wrong PINs in the window."""
    if locked:
        return "locked"
    if pin_ok:
        return "ok"
    return "lock_now" if failures_before + 1 >= attempts else "failed"


def window_start(now: datetime, window_s: float) -> datetime:
    return now - timedelta(seconds=window_s)


def is_idle(last_seen: datetime, now: datetime, idle_timeout_s: float) -> bool:
    return (now - last_seen).total_seconds() > idle_timeout_s


def bad_roles(roles: Iterable[str]) -> list[str]:
    return sorted(set(roles) - set(OPERATOR_ROLES))


# Access rules of floor routes and socket events (deny by default):
#   "public"             anyone (the kiosk page and its assets)
#   "device"             an enrolled, unrevoked kiosk device (X-Device-Token)
#   "session"            a device and an open session of that device (Bearer session token)
#   "session:<role>..."  the same, and the operator has one of the roles
def roles_of_rule(rule: str) -> frozenset[str]:
    _, _, roles = rule.partition(":")
    return frozenset(r for r in roles.split(",") if r)


def rule_allows(rule: str, roles: frozenset[str]) -> bool:
    """Whether a session whose operator has `roles` passes a "session[:roles]" rule."""
    needed = roles_of_rule(rule)
    return not needed or bool(needed & roles)


def valid_rule(rule: str) -> bool:
    if rule in ("public", "device", "session"):
        return True
    return rule.startswith("session:") and not bad_roles(roles_of_rule(rule))
