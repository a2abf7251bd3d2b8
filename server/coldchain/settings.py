"""Cold-chain settings: `[coldchain]` with its `[[coldchain.ranges]]` and per-probe
`[[coldchain.probes]]` (docs/supervision.md, Cold chain). Probes themselves are
`[[devices]]` of kind `probe` with a `location`."""

from __future__ import annotations

from pydantic import Field, model_validator

from server.coldchain.rules import Rule
from server.config import Section


class RangeSettings(Section):
    """A temperature range for a location, a zone or a product (exactly one of them)."""

    min_c: float
    max_c: float
    location: str = ""
    zone: str = ""
    sku: str = ""
    grace_s: float | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _one_target(self) -> RangeSettings:
        if sum(bool(x) for x in (self.location, self.zone, self.sku)) != 1:
            raise ValueError("a range names exactly one of location, zone or sku")
        if self.min_c > self.max_c:
            raise ValueError(f"min_c {self.min_c} is above max_c {self.max_c}")
        return self

    def rule(self) -> Rule:
        return Rule(self.min_c, self.max_c, self.location, self.zone, self.sku, self.grace_s)


class ProbeSettings(Section):
    """One probe's own timing, over the defaults."""

    id: str = Field(min_length=1, max_length=64)
    expire_after_s: float | None = Field(default=None, gt=0)
    grace_s: float | None = Field(default=None, ge=0)


class ColdchainSettings(Section):
    enabled: bool = True
    check_interval_s: float = Field(default=1.0, gt=0, le=60)
    grace_s: float = Field(default=300.0, ge=0)  # out of range this long: an excursion
    expire_after_s: float = Field(default=300.0, gt=0)  # no reading this long: stale
    bucket_s: int = Field(default=60, ge=1, le=3600)  # readings downsampled per bucket
    retention_days: float = Field(default=90.0, gt=0)
    quarantine_location: str = ""  # where "move to quarantine" moves held stock by default
    ranges: list[RangeSettings] = Field(default_factory=list)
    probes: list[ProbeSettings] = Field(default_factory=list)

    def rules(self) -> list[Rule]:
        return [r.rule() for r in self.ranges]

    def probe(self, probe_id: str) -> ProbeSettings | None:
        return next((p for p in self.probes if p.id == probe_id), None)
