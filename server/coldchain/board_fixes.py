"""The cold chain's supervisor exceptions on the board (server/area.py `ExceptionKind`): a
temperature excursion and a stale probe (both resolved by themselves when the probe is back
in range or heard again), and held stock, fixed by releasing it with a reason or moving it
to quarantine."""

from __future__ import annotations

from typing import Any

from server.area import ExceptionKind, Fix
from server.coldchain.holds import (
    STOCK_HELD,
    QuarantineStock,
    ReleaseStock,
    quarantine_stock,
    release_stock,
)
from server.coldchain.watch import EXCURSION, STALE
from server.spine import Unit


def _location(view: dict[str, Any]) -> str:
    return str((view.get("data") or {}).get("location") or "")


def _release(unit: Unit, view: dict[str, Any], reason: str | None) -> str:
    release_stock(ReleaseStock(_location(view), reason or ""), unit)
    return f"stock at {_location(view)} released: {reason}"


def _quarantine(unit: Unit, view: dict[str, Any], to: str | None) -> str:
    quarantine_stock(QuarantineStock(_location(view), (to or "").strip()), unit)
    return f"stock at {_location(view)} moved to {to}"


KINDS = (
    ExceptionKind(EXCURSION, "Temperature excursion", urgency=90),
    ExceptionKind(STALE, "Probe silent", urgency=60),
    ExceptionKind(
        STOCK_HELD,
        "Stock held",
        urgency=75,
        fixes=(
            # both resolve the exception themselves (server/coldchain/holds.py)
            Fix("release", "Release the stock…", _release, choose="reason"),
            Fix("quarantine", "Move to quarantine…", _quarantine, choose="location"),
        ),
    ),
)
