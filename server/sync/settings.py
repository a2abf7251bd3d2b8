"""The webhook relay's settings: `[relay]`."""

from __future__ import annotations

from pydantic import Field

from server.config import Section


class RelaySettings(Section):
    enabled: bool = True
    timeout_s: float = Field(default=15.0, gt=0)
    batch_size: int = Field(default=100, ge=1)
    poll_interval_s: float = Field(default=1.0, gt=0)
