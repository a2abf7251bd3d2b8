"""Picking's settings: `[picking]` (docs/picking.md)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from server.config import Section


class PickingSettings(Section):
    """Batch caps, where cancelled totes go back, and where picked totes are dropped."""

    max_orders: int = Field(default=8, ge=1, le=100)
    max_units: int = Field(default=60, ge=1)
    max_weight_g: int = Field(default=15_000, ge=1)
    max_volume_mm3: int = Field(default=60_000_000, ge=1)
    put_back_location: str = ""  # empty: the first `returns` location of the site
    # "auto": accepted orders are pick work at once; "manual": they wait until a supervisor
    # releases them (a wave: POST /api/v1/picking/waves, floorlink picking wave)
    release: Literal["auto", "manual"] = "auto"
    drop_zone_kind: str = "pack"
    light_ttl_s: float = Field(default=600.0, gt=0)
