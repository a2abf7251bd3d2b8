"""Kiosk sessions' settings: `[floor]` (docs/kiosk.md)."""

from __future__ import annotations

from pydantic import Field

from server.config import Section


class FloorSettings(Section):
    """Kiosk sessions: idle expiry, PIN lockout and how long an enrollment code lives."""

    idle_timeout_s: float = Field(default=900.0, gt=0)
    lockout_attempts: int = Field(default=5, ge=1, le=100)
    lockout_window_s: float = Field(default=900.0, gt=0)
    enrollment_ttl_s: float = Field(default=900.0, gt=0)
    sweep_interval_s: float = Field(default=1.0, gt=0)
