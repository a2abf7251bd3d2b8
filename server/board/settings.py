"""The board's settings: `[board]` (docs/supervision.md, Configuration)."""

from __future__ import annotations

import datetime as dt

from pydantic import Field, field_validator

from server.config import Section


class BoardSettings(Section):
    """When an order is at risk, and how often the board is pushed at most."""

    # Minutes of work left per step: an order not picked needs both before its deadline.
    lead_picking_min: float = Field(default=30.0, ge=0)
    lead_packing_min: float = Field(default=15.0, ge=0)
    # Carriers' daily pickup times (UTC, "HH:MM"), by carrier: {"DHL" = "16:30"}.
    pickups: dict[str, str] = Field(default_factory=dict)
    # Pushes are coalesced: at most one board model per this interval, whatever the rate of
    # commits; and the model is computed again this often while boards are open (ages).
    min_push_interval_s: float = Field(default=0.1, ge=0.0, le=5.0)
    refresh_s: float = Field(default=15.0, gt=0)
    max_items: int = Field(default=100, ge=1, le=1000)

    @field_validator("pickups")
    @classmethod
    def _times(cls, value: dict[str, str]) -> dict[str, str]:
        for carrier, at in value.items():
            try:
                dt.time.fromisoformat(at)
            except ValueError:
                raise ValueError(f"pickup time of {carrier!r} is not HH:MM: {at!r}") from None
        return value

    def pickup_of(self, carrier: str) -> dt.time | None:
        at = self.pickups.get(carrier)
        return dt.time.fromisoformat(at) if at else None

    @property
    def lead_min(self) -> dict[str, float]:
        return {"picking": self.lead_picking_min, "packing": self.lead_packing_min}
