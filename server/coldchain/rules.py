"""Pure cold-chain rules: which range applies to a probe, what one look at a probe decides
(excursion after a grace time, stale after `expire_after`, both resolved when it is back),
and how readings are downsampled. No I/O: server/coldchain/watch.py feeds them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Range:
    min_c: float
    max_c: float

    def holds(self, celsius: float) -> bool:
        return self.min_c <= celsius <= self.max_c

    def __str__(self) -> str:
        return f"{self.min_c:g} to {self.max_c:g} °C"


@dataclass(frozen=True)
class Rule:
    """A configured range: for a location, a zone or a product (exactly one is set)."""

    min_c: float
    max_c: float
    location: str = ""
    zone: str = ""
    sku: str = ""
    grace_s: float | None = None


def range_for(
    rules: Sequence[Rule], location: str, zone: str, skus: Iterable[str]
) -> tuple[Range | None, float | None]:
    """The range a probe at `location` (in `zone`, holding `skus`) is watched against, and
    its grace time if a rule sets one.

    The place's range is the location's rule, else the zone's. Every product stored there
    narrows it to what that product allows: the range is the intersection, so the most
    demanding product wins (a 2-8 °C zone holding a 4-6 °C vaccine is watched at 4-6 °C).
    An empty intersection (products that cannot share a place) is kept as it is: every
    reading is out of range, which is what a supervisor must see."""
    place = next((r for r in rules if r.location and r.location == location), None)
    if place is None:
        place = next((r for r in rules if r.zone and r.zone == zone and not r.location), None)
    wanted = set(skus)
    products = [r for r in rules if r.sku and r.sku in wanted]
    chosen = ([place] if place else []) + products
    if not chosen:
        return None, None
    lo = max(r.min_c for r in chosen)
    hi = min(r.max_c for r in chosen)
    graces = [r.grace_s for r in chosen if r.grace_s is not None]
    return Range(lo, hi), (min(graces) if graces else None)


@dataclass(frozen=True)
class Seen:
    """What the watcher knows of a probe before this look."""

    out_since: dt.datetime | None = None
    excursion_open: bool = False
    stale_open: bool = False


@dataclass(frozen=True)
class Decision:
    out_since: dt.datetime | None
    raise_excursion: bool = False
    resolve_excursion: bool = False
    raise_stale: bool = False
    resolve_stale: bool = False

    @property
    def changes(self) -> bool:
        return (
            self.raise_excursion or self.resolve_excursion or self.raise_stale or self.resolve_stale
        )


def decide(
    seen: Seen,
    celsius: float | None,
    read_at: dt.datetime | None,
    now: dt.datetime,
    watched: Range | None,
    grace_s: float,
    expire_after_s: float,
) -> Decision:
    """One look at a probe.

    - Stale: no reading for longer than `expire_after_s` (or never one): raise once; a
      reading that is fresh again resolves it.
    - Excursion: the latest reading out of range since `out_since`, for longer than
      `grace_s`: raise once; a reading back in range resolves it (the stock's hold stays:
      a supervisor decides). A stale probe's last reading says nothing about now: the
      grace clock neither starts nor raises on it, but an open excursion stays open.
    """
    fresh = read_at is not None and (now - read_at).total_seconds() <= expire_after_s
    raise_stale = not fresh and not seen.stale_open
    resolve_stale = fresh and seen.stale_open
    out_since = seen.out_since
    raise_exc = resolve_exc = False
    if celsius is None or watched is None:
        out_since = None
        resolve_exc = seen.excursion_open and watched is None
    elif watched.holds(celsius):
        out_since = None
        resolve_exc = seen.excursion_open and fresh
    elif fresh:
        out_since = out_since or read_at
        assert out_since is not None
        over = (now - out_since).total_seconds() >= grace_s
        raise_exc = over and not seen.excursion_open
    return Decision(out_since, raise_exc, resolve_exc, raise_stale, resolve_stale)


def bucket_of(at: dt.datetime, bucket_s: int) -> dt.datetime:
    """The start of the downsampling bucket a reading at `at` falls in."""
    epoch = dt.datetime(2000, 1, 1)
    seconds = int((at - epoch).total_seconds()) // bucket_s * bucket_s
    return epoch + dt.timedelta(seconds=seconds)


@dataclass(frozen=True)
class Point:
    at: dt.datetime
    n: int
    min_c: float
    max_c: float
    sum_c: float

    @property
    def avg_c(self) -> float:
        return self.sum_c / self.n if self.n else 0.0


def coarsen(points: Sequence[Point], max_points: int) -> list[Point]:
    """At most `max_points` points, neighbours merged (min of mins, max of maxes, the
    average weighted by count), so a long window still reads in one chart."""
    if len(points) <= max_points or max_points < 1:
        return list(points)
    per = -(-len(points) // max_points)
    merged = []
    for i in range(0, len(points), per):
        group = points[i : i + per]
        merged.append(
            Point(
                group[0].at,
                sum(p.n for p in group),
                min(p.min_c for p in group),
                max(p.max_c for p in group),
                sum(p.sum_c for p in group),
            )
        )
    return merged
