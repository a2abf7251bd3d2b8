"""Dispatch's settings: `[dispatch]` (docs/dispatch.md)."""

from __future__ import annotations

import zoneinfo

from pydantic import Field, field_validator

from server.config import Section


class DispatchSettings(Section):
    """Doors, seals, the carriers a dispatcher may open a manifest for, and the day."""

    # Loading waits while the dock's door sensor says closed; with a sensor offline it
    # waits too, unless the dock is listed here (or every dock, with "*").
    load_with_door_offline: list[str] = []
    # A door open this long with nothing loaded or unloaded raises `dock_door_open`.
    door_open_alert_s: float = Field(default=600.0, gt=0)
    door_sweep_interval_s: float = Field(default=15.0, gt=0)
    seal_required: bool = True
    # Carriers offered on the floor when a dispatcher opens a manifest at a dock, beside
    # the carriers of the packed packages waiting.
    carriers: list[str] = []
    # The day of the end-of-day list (GET /api/v1/manifests/day/{date}) is this zone's.
    timezone: str = "UTC"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    def offline_allowed(self, dock: str) -> bool:
        return "*" in self.load_with_door_offline or dock in self.load_with_door_offline
