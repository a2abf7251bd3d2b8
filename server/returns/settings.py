"""Returns' settings: `[returns]` (docs/returns.md, "Settings")."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from server.config import Section

NotRestock = Literal["refurbish", "quarantine", "scrap", "return_to_vendor"]


class ReturnsSettings(Section):
    # A parcel with no RMA: "open" an unannounced return against its order on the floor
    # (the OMS hears return.opened), or have it put "aside" for a supervisor (an exception).
    unannounced: Literal["open", "aside"] = "open"
    # An expiry-tracked unit expiring within this many days is never restocked.
    sell_by_margin_days: int = Field(default=30, ge=0, le=3650)
    expired_disposition: NotRestock = "scrap"  # past its expiry
    short_dated_disposition: NotRestock = "quarantine"  # within the margin, or no expiry known
    # Where each disposition but restock puts a unit: a location kind (docs/api.md).
    zones: dict[NotRestock, str] = {
        "refurbish": "refurbish",
        "quarantine": "quarantine",
        "scrap": "scrap",
        "return_to_vendor": "vendor",
    }
    # Units received but not put away for longer than this raise `return_dwell`.
    dwell_after_min: float = Field(default=240, gt=0)
    dwell_check_s: float = Field(default=60, gt=0)

    @model_validator(mode="after")
    def _every_zone(self) -> ReturnsSettings:
        missing = {"refurbish", "quarantine", "scrap", "return_to_vendor"} - set(self.zones)
        if missing:
            raise ValueError(f"[returns] zones: give a location kind for {sorted(missing)}")
        return self
