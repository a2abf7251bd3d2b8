"""The watcher's command: one look at the probes that have news (a reading, or a clock that
ran out), in one transaction: readings into their buckets, then the rules' decisions
(server/coldchain/rules.py) as exceptions raised and resolved and stock held.

Readings and the probes' status are bookkeeping (no event each); an excursion, a stale
probe, their resolution and a hold each record their event."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from server import writes
from server.coldchain import holds, rules
from server.coldchain.settings import ColdchainSettings
from server.db import for_update
from server.models import Location, Product, Stock
from server.models.coldchain import ProbeReading, ProbeStatus
from server.spine import Handlers, Unit
from server.supervision.exceptions import raise_exception, resolve_open

HANDLERS = Handlers()
EXCURSION = "temperature_excursion"
STALE = "probe_stale"
writes.exempt("probe_status", "probe_reading")


@dataclass(frozen=True)
class Look:
    probe_id: str
    location: str
    celsius: float | None
    read_at: dt.datetime | None


@dataclass(frozen=True)
class CheckProbes:
    looks: tuple[Look, ...]
    now: dt.datetime
    watching_since: dt.datetime | None = None  # a probe never heard is stale from here


@dataclass(frozen=True)
class Watched:
    """What the watcher keeps of a probe between looks (the command's answer)."""

    seen: rules.Seen
    last_reading_at: dt.datetime | None
    range: rules.Range | None
    grace_s: float
    expire_after_s: float


def watched_range(
    settings: ColdchainSettings, probe_id: str, code: str
) -> tuple[rules.Range | None, float, float]:
    """The probe's range and timing: its location's zone and the products stored there."""
    location = Location.get_or_none(Location.code == code)
    zone = location.zone if location is not None else ""
    skus: list[str] = []
    if location is not None:
        found_skus: list[Any] = list(
            Product.select(Product.sku)
            .join(Stock)
            .where(Stock.location == location, Stock.on_hand > 0)
            .tuples()
        )
        skus = [sku for (sku,) in found_skus]
    found, rule_grace = rules.range_for(settings.rules(), code, zone, skus)
    own = settings.probe(probe_id)
    grace = own.grace_s if own and own.grace_s is not None else rule_grace
    expire = own.expire_after_s if own and own.expire_after_s is not None else None
    return (
        found,
        grace if grace is not None else settings.grace_s,
        expire or settings.expire_after_s,
    )


@HANDLERS.handles(CheckProbes)
def check_probes(cmd: CheckProbes, unit: Unit) -> dict[str, Any]:
    settings: ColdchainSettings = unit.env.section("coldchain")
    out: dict[str, Watched] = {}
    for look in cmd.looks:
        out[look.probe_id] = _look(look, cmd.now, cmd.watching_since, settings, unit)
    return {"watched": out}


def _look(
    look: Look,
    now: dt.datetime,
    since: dt.datetime | None,
    settings: ColdchainSettings,
    unit: Unit,
) -> Watched:
    status = for_update(ProbeStatus.select().where(ProbeStatus.probe_id == look.probe_id)).first()
    if status is None:
        status = ProbeStatus.create(probe_id=look.probe_id, location=look.location)
    new = (
        look.read_at is not None
        and look.celsius is not None
        and (status.last_reading_at is None or look.read_at > status.last_reading_at)
    )
    if new:
        assert look.celsius is not None and look.read_at is not None
        _record(look.probe_id, look.celsius, look.read_at, settings.bucket_s)
        status.last_celsius, status.last_reading_at = look.celsius, look.read_at
    watched, grace, expire = watched_range(settings, look.probe_id, look.location)
    seen = rules.Seen(status.out_since, bool(status.excursion), bool(status.stale))
    read_at = status.last_reading_at or look.read_at
    clock = read_at or since or now
    decision = rules.decide(seen, status.last_celsius, clock, now, watched, grace, expire)
    status.out_since = decision.out_since
    status.location = look.location
    subject = f"device:{look.probe_id}"
    data = {
        "probe": look.probe_id,
        "location": look.location,
        "celsius": status.last_celsius,
        "min_c": watched.min_c if watched else None,
        "max_c": watched.max_c if watched else None,
        "read_at": read_at.isoformat() if read_at else None,
    }
    if decision.raise_excursion:
        began = decision.out_since.isoformat(timespec="seconds") if decision.out_since else ""
        row = raise_exception(
            unit,
            kind=EXCURSION,
            subject=subject,
            message=f"{look.location}: {status.last_celsius:.1f} °C at probe {look.probe_id}, "
            f"outside {watched} since {began} (grace {grace:g} s); its stock is held",
            data=data | {"since": began},
        )
        status.excursion = row.exception_id
        location = Location.get_or_none(Location.code == look.location)
        if location is not None:
            holds.hold(
                location, f"temperature excursion at {look.probe_id}", row.exception_id, unit
            )
    if decision.resolve_excursion:
        back = (
            f"back in range: {status.last_celsius:.1f} °C"
            if status.last_celsius is not None
            else "no range"
        )
        resolve_open(unit, kind=EXCURSION, subject=subject, resolution=back)
        status.excursion = None
    if decision.raise_stale:
        last = read_at.isoformat(timespec="seconds") if read_at else "never"
        row = raise_exception(
            unit,
            kind=STALE,
            subject=subject,
            message=f"Probe {look.probe_id} at {look.location} sent no reading for over "
            f"{expire:g} s (last {last})",
            data=data,
        )
        status.stale = row.exception_id
    if decision.resolve_stale:
        resolve_open(unit, kind=STALE, subject=subject, resolution="heard again")
        status.stale = None
    status.save()
    return Watched(
        rules.Seen(status.out_since, bool(status.excursion), bool(status.stale)),
        status.last_reading_at,
        watched,
        grace,
        expire,
    )


def _record(probe_id: str, celsius: float, at: dt.datetime, bucket_s: int) -> None:
    bucket = rules.bucket_of(at, bucket_s)
    query = ProbeReading.select().where(
        ProbeReading.probe_id == probe_id, ProbeReading.bucket == bucket
    )
    row = for_update(query).first()
    if row is None:
        ProbeReading.create(
            probe_id=probe_id, bucket=bucket, n=1, min_c=celsius, max_c=celsius, sum_c=celsius
        )
        return
    ProbeReading.update(
        n=ProbeReading.n + 1,
        min_c=min(row.min_c, celsius),
        max_c=max(row.max_c, celsius),
        sum_c=ProbeReading.sum_c + celsius,
    ).where(ProbeReading.id == row.id).execute()


@dataclass(frozen=True)
class PruneReadings:
    before: dt.datetime


@HANDLERS.handles(PruneReadings)
def prune_readings(cmd: PruneReadings, unit: Unit) -> dict[str, Any]:
    removed = ProbeReading.delete().where(ProbeReading.bucket < cmd.before).execute()
    return {"removed": removed}
