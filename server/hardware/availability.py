"""Two-level availability and staleness, as pure rules (docs/architecture.md, MQTT).

A device is online when its own availability says so AND its bridge (if any) is online AND
the server can hear the broker at all. A device that never published an availability
(a probe talking MQTT directly) is online while it was heard within `stale_after_s`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

Online = Literal["online", "offline"]


@dataclass(frozen=True)
class Seen:
    """What the registry knows of one device (or bridge) for the availability rule."""

    availability: str | None  # the last retained availability it published, if any
    last_seen: datetime | None


def is_stale(last_seen: datetime | None, now: datetime, stale_after_s: float) -> bool:
    """Not heard from within `stale_after_s` (never heard counts as stale)."""
    return last_seen is None or (now - last_seen).total_seconds() > stale_after_s


def own_availability(seen: Seen, now: datetime, stale_after_s: float) -> Online:
    if seen.availability is not None:
        return "online" if seen.availability == "online" else "offline"
    return "offline" if is_stale(seen.last_seen, now, stale_after_s) else "online"


def availability(
    device: Seen,
    bridge: Seen | None,
    broker_connected: bool,
    now: datetime,
    stale_after_s: float,
) -> Online:
    """The availability shown for a device heard over MQTT."""
    if not broker_connected:
        return "offline"
    if bridge is not None and own_availability(bridge, now, stale_after_s) == "offline":
        return "offline"
    return own_availability(device, now, stale_after_s)
