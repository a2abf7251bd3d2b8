"""The webhook relay's settings: `[relay]`."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, field_validator

from server.config import Section
from server.sync.schedule import SCHEDULE_S


class RelaySettings(Section):
    enabled: bool = True
    timeout_s: float = Field(default=15.0, gt=0)
    batch_size: int = Field(default=100, ge=1)
    poll_interval_s: float = Field(default=1.0, gt=0)
    # Seconds to wait after the 1st, 2nd, ... failed attempt (+/- 20 % jitter); the event is
    # dead-lettered after failed attempt len + 1. The default is the documented one
    # (docs/webhooks.md, Delivery); bench/outage.py compresses it to replay a day in minutes.
    retry_schedule_s: tuple[Annotated[float, Field(gt=0)], ...] = Field(
        default=SCHEDULE_S, min_length=1
    )

    @field_validator("retry_schedule_s", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        # FLOORLINK_RELAY__RETRY_SCHEDULE_S="5,300,1800": a variable is text
        if isinstance(value, str):
            return [part.strip() for part in value.strip("[] ").split(",") if part.strip()]
        return value
