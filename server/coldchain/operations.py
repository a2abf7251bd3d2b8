"""The cold chain's operations, served by the API under /api/v1 and the CLI (`floorlink
coldchain ...`): a probe's readings for the audit, the holds on stock, releasing a hold
with a reason and moving held stock to quarantine (docs/api.md, Cold chain)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from server.coldchain import rules
from server.coldchain.holds import HoldStock, QuarantineStock, ReleaseStock
from server.coldchain.watch import watched_range
from server.errors import InvalidInput, NotFound, field_error
from server.models import HardwareDevice, isoformat, naive_utc, utcnow
from server.models.coldchain import ProbeReading, ProbeStatus, StockHold
from server.operations import Call, Cli, CliGroup, Code, Operation, Strict, Text, Timestamp

TAG = "coldchain"
GROUP = CliGroup("coldchain", "Cold chain: probe readings and stock holds")
MAX_POINTS = 1000
DEFAULT_WINDOW = dt.timedelta(hours=24)


class ReadingsQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    from_: Timestamp | None = Field(default=None, alias="from", description="Start (RFC 3339)")
    to: Timestamp | None = Field(default=None, description="End (RFC 3339); default now")


class Point(BaseModel):
    at: str
    n: int
    min_c: float
    max_c: float
    avg_c: float


class ReadingsOut(BaseModel):
    device_id: str
    location: str | None
    range: dict[str, float] | None
    bucket_s: int
    last: dict[str, Any] | None
    data: list[Point]


class ReasonIn(Strict):
    reason: Text


class QuarantineIn(Strict):
    to: Code | None = Field(default=None, description="A quarantine location; default the config's")
    reason: Text = "temperature excursion"


class HoldOut(BaseModel):
    data: list[dict[str, Any]]


def _readings(call: Call) -> dict[str, Any]:
    device_id = call.device_id
    probes = {d.id: d for d in call.settings.section("devices") if d.kind == "probe"}
    known = HardwareDevice.get_or_none(HardwareDevice.id == device_id)
    if device_id not in probes and (known is None or known.kind != "probe"):
        raise NotFound(f"no probe {device_id}")
    query = call.query
    until: dt.datetime = (naive_utc(query.to) if query and query.to else None) or utcnow()
    since: dt.datetime = (
        naive_utc(query.from_) if query and query.from_ else None
    ) or until - DEFAULT_WINDOW
    if since > until:
        raise InvalidInput("from is after to", [field_error("from", "before `to`")])
    rows = (
        ProbeReading.select()
        .where(
            ProbeReading.probe_id == device_id,
            ProbeReading.bucket
            >= rules.bucket_of(since, call.settings.section("coldchain").bucket_s),
            ProbeReading.bucket <= until,
        )
        .order_by(ProbeReading.bucket)
    )
    points = [rules.Point(r.bucket, r.n, r.min_c, r.max_c, r.sum_c) for r in rows]
    location = probes[device_id].location if device_id in probes else ""
    found, _grace, _expire = watched_range(call.settings.section("coldchain"), device_id, location)
    status = ProbeStatus.get_or_none(ProbeStatus.probe_id == device_id)
    return {
        "device_id": device_id,
        "location": location or None,
        "range": {"min_c": found.min_c, "max_c": found.max_c} if found else None,
        "bucket_s": call.settings.section("coldchain").bucket_s,
        "last": None
        if status is None or status.last_reading_at is None
        else {"celsius": status.last_celsius, "at": isoformat(status.last_reading_at)},
        "data": [
            {
                "at": isoformat(p.at),
                "n": p.n,
                "min_c": round(p.min_c, 2),
                "max_c": round(p.max_c, 2),
                "avg_c": round(p.avg_c, 2),
            }
            for p in rules.coarsen(points, MAX_POINTS)
        ],
    }


def hold_view(row: StockHold) -> dict[str, Any]:
    return {
        "location": row.location.code,
        "reason": row.reason,
        "exception": row.exception_id,
        "held_by": row.held_by,
        "held_at": isoformat(row.held_at),
        "released_at": isoformat(row.released_at),
        "released_by": row.released_by,
        "release_reason": row.release_reason or None,
    }


def _holds(call: Call) -> dict[str, Any]:
    rows = StockHold.select().where(StockHold.released_at.is_null()).order_by(StockHold.held_at)
    return {"data": [hold_view(r) for r in rows]}


def _quarantine(call: Call) -> QuarantineStock:
    to = call.body.to or call.settings.section("coldchain").quarantine_location
    if not to:
        raise InvalidInput("say where", [field_error("to", "a quarantine location")])
    return QuarantineStock(call.location, to, call.body.reason)


OPERATIONS = (
    Operation(
        "GET",
        "/devices/<device_id>/readings",
        "A probe's temperature readings, downsampled (min, max, average per bucket)",
        TAG,
        "admin",
        read=_readings,
        query=ReadingsQuery,
        response=("The readings", ReadingsOut),
        cli=Cli(GROUP, "readings", "A probe's readings of the last 24 hours.", fields=()),
    ),
    Operation(
        "GET",
        "/stock/holds",
        "The locations whose stock is held (not allocated to orders until released)",
        TAG,
        "oms",
        read=_holds,
        response=("The holds", HoldOut),
        cli=Cli(GROUP, "holds"),
    ),
    Operation(
        "POST",
        "/stock/holds/<location>",
        "Hold the stock of a location (a supervisor's decision)",
        TAG,
        "admin",
        command=lambda c: HoldStock(c.location, c.body.reason),
        body=ReasonIn,
        cli=Cli(GROUP, "hold", args=("reason",)),
    ),
    Operation(
        "POST",
        "/stock/holds/<location>/release",
        "Release held stock, with the reason it may be sold",
        TAG,
        "admin",
        command=lambda c: ReleaseStock(c.location, c.body.reason),
        body=ReasonIn,
        cli=Cli(GROUP, "release", args=("reason",)),
    ),
    Operation(
        "POST",
        "/stock/holds/<location>/quarantine",
        "Move held stock to a quarantine location (and end the hold)",
        TAG,
        "admin",
        command=_quarantine,
        body=QuarantineIn,
        cli=Cli(GROUP, "quarantine"),
    ),
)
