"""Every exception kind the board knows and the fixes it offers for one (server/area.py
`ExceptionKind`, `Fix`): the kinds the areas declare (`unit.env.exception_kinds`, handed
over at bootstrap), the generic fixes every kind has (acknowledge, resolve with a reason)
and the board's own live items (a badge locked after wrong PINs, a device offline, orders
waiting for a wave, a wave to hold or release), which are no exception rows but conditions
read from the floor."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from server.area import ExceptionKind, Fix
from server.errors import InvalidInput, field_error
from server.floor.operators import UnlockBadge, unlock_badge
from server.picking.waves import (
    HoldWave,
    ReleaseHeldWave,
    ReleaseWave,
    hold_wave,
    release_held_wave,
    release_wave,
)
from server.spine import Unit

BADGE_LOCKED = "badge_locked"
DEVICE_OFFLINE = "device_offline"
WAVE_WAITING = "wave_waiting"
WAVE_ITEM = "wave:release"
WAVE = "wave"  # a released wave, shown in the waves and batches tile: wave:<wave id>
WAVE_PREFIX = "wave:"
ACKNOWLEDGE = "acknowledge"
RESOLVE = "resolve"

REASONS = (
    "Checked on the floor: all in order",
    "Fixed on the floor",
    "Handled outside Floorlink",
    "Duplicate of another exception",
    "Not a problem",
)


def _noop(_unit: Unit, _view: dict[str, Any], _value: str | None) -> str:
    return ""  # the board's handler does the acknowledging and resolving itself


GENERIC = (
    Fix(ACKNOWLEDGE, "Acknowledge", _noop, resolves=False),
    Fix(RESOLVE, "Resolve…", _noop, choose="reason"),
)


def _unlock(unit: Unit, view: dict[str, Any], _value: str | None) -> str:
    badge = str(view["subject"]).removeprefix("badge:")
    unlock_badge(UnlockBadge(badge), unit)
    return f"badge {badge} unlocked"


def _release_wave(unit: Unit, _view: dict[str, Any], value: str | None) -> str:
    try:
        limit = int(str(value))
    except ValueError:
        raise InvalidInput("key how many", [field_error("value", "a whole number")]) from None
    if not 1 <= limit <= 1000:
        raise InvalidInput("key how many", [field_error("value", "1 to 1000 orders")])
    released = release_wave(ReleaseWave(limit), unit)
    return f"{released['count']} orders released for picking, most urgent first"


def _wave_id(view: dict[str, Any]) -> str:
    return str(view["subject"]).removeprefix(WAVE_PREFIX)


def _wave_is(status: str) -> Any:
    return lambda view: (view.get("data") or {}).get("status") == status


def _hold_wave(unit: Unit, view: dict[str, Any], _value: str | None) -> str:
    wave_id = _wave_id(view)
    done = hold_wave(HoldWave(wave_id, f"wave {wave_id} held from the board"), unit)
    return (
        f"wave {wave_id} held: {len(done['held'])} orders wait, "
        f"{done['in_batches']} already in batches (a batch a picker has goes on)"
    )


def _release_held_wave(unit: Unit, view: dict[str, Any], _value: str | None) -> str:
    wave_id = _wave_id(view)
    done = release_held_wave(ReleaseHeldWave(wave_id), unit)
    return f"wave {wave_id} released: {len(done['released'])} orders back to picking"


LIVE_KINDS = (
    ExceptionKind(
        BADGE_LOCKED,
        "Badge locked",
        urgency=65,
        fixes=(Fix("unlock", "Unlock the badge", _unlock),),
    ),
    ExceptionKind(DEVICE_OFFLINE, "Device offline", urgency=45),
    ExceptionKind(
        WAVE_WAITING,
        "Orders waiting for a wave",
        urgency=40,
        fixes=(Fix("release_wave", "Release a wave…", _release_wave, choose="number"),),
    ),
    ExceptionKind(
        WAVE,
        "Wave",
        fixes=(
            Fix("hold_wave", "Hold the wave", _hold_wave, offered=_wave_is("released")),
            Fix(
                "release_held_wave",
                "Release the wave",
                _release_held_wave,
                offered=_wave_is("held"),
            ),
        ),
    ),
)
LIVE = {k.kind: k for k in LIVE_KINDS}


def kind_of(kinds: Mapping[str, ExceptionKind], kind: str) -> ExceptionKind:
    found = kinds.get(kind) or LIVE.get(kind)
    return found if found is not None else ExceptionKind(kind, kind.replace("_", " ").capitalize())


def fixes_for(kinds: Mapping[str, ExceptionKind], view: dict[str, Any]) -> list[Fix]:
    """The fixes offered for this item now: the kind's own (those that apply), then the
    generic ones for an exception row (a live item has its own only)."""
    kind = kind_of(kinds, view["kind"])
    own = [f for f in kind.fixes if f.offered is None or _offered(f, view)]
    if view.get("live"):
        return own
    generic = [f for f in GENERIC if not (f.id == ACKNOWLEDGE and view.get("acknowledged"))]
    return own + generic


def _offered(fix: Fix, view: dict[str, Any]) -> bool:
    try:
        return bool(fix.offered(view)) if fix.offered else True
    except Exception:  # a check that fails offers nothing rather than breaking the board
        return False


def fix_of(kinds: Mapping[str, ExceptionKind], view: dict[str, Any], fix_id: str) -> Fix | None:
    return next((f for f in fixes_for(kinds, view) if f.id == fix_id), None)
