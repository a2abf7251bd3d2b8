"""The cold-chain rules as tables: which range applies, what one look decides, buckets."""

from __future__ import annotations

import datetime as dt

import pytest

from server.coldchain.rules import Point, Range, Rule, Seen, bucket_of, coarsen, decide, range_for

RULES = [
    Rule(2, 8, zone="FRIDGE"),
    Rule(0, 4, location="F-01"),
    Rule(4, 6, sku="VACCINE", grace_s=60),
    Rule(-25, -18, zone="FREEZER"),
]


@pytest.mark.parametrize(
    ("location", "zone", "skus", "expected", "grace"),
    [
        ("F-02", "FRIDGE", [], Range(2, 8), None),  # the zone's
        ("F-01", "FRIDGE", [], Range(0, 4), None),  # the location's wins over the zone's
        ("F-02", "FRIDGE", ["VACCINE"], Range(4, 6), 60),  # a product narrows the place
        ("F-01", "FRIDGE", ["VACCINE"], Range(4, 4), 60),  # the intersection
        ("A-01", "AMBIENT", ["VACCINE"], Range(4, 6), 60),  # a product alone
        ("A-01", "AMBIENT", ["MUG"], None, None),  # nothing configured: not watched
        ("Z-01", "FREEZER", ["VACCINE"], Range(4, -18), 60),  # cannot share: always out
    ],
)
def test_range_for(
    location: str, zone: str, skus: list[str], expected: Range | None, grace: float | None
) -> None:
    assert range_for(RULES, location, zone, skus) == (expected, grace)


T0 = dt.datetime(2026, 12, 2, 8, 0, 0)
R = Range(2, 8)
GRACE, EXPIRE = 300.0, 120.0


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


@pytest.mark.parametrize(
    ("seen", "celsius", "read_s", "now_s", "out_since", "flags"),
    [
        # in range, fresh: nothing
        (Seen(), 5.0, 0, 10, None, ""),
        # first reading out: the grace clock starts at the reading
        (Seen(), 9.5, 0, 10, at(0), ""),
        # still out, within grace
        (Seen(at(0)), 9.5, 200, 299, at(0), ""),
        # still out, grace over: raise once
        (Seen(at(0)), 9.5, 290, 300, at(0), "raise_excursion"),
        (Seen(at(0), excursion_open=True), 9.5, 290, 400, at(0), ""),
        # back in range: resolve; the clock is cleared
        (Seen(at(0), excursion_open=True), 7.9, 410, 410, None, "resolve_excursion"),
        # out then back within grace: nothing raised, clock cleared
        (Seen(at(0)), 8.0, 100, 100, None, ""),
        # the edge of the range is in range
        (Seen(), 2.0, 0, 0, None, ""),
        # no reading for longer than expire_after: stale, raised once
        (Seen(), 5.0, 0, 121, None, "raise_stale"),
        (Seen(stale_open=True), 5.0, 0, 500, None, ""),
        # heard again: resolved
        (Seen(stale_open=True), 5.0, 499, 500, None, "resolve_stale"),
        # a stale probe's last reading out of range starts no clock and raises nothing
        (Seen(), 12.0, 0, 400, None, "raise_stale"),
        # an open excursion stays open while the probe is silent
        (Seen(at(0), excursion_open=True, stale_open=True), 12.0, 0, 900, at(0), ""),
        # never heard (no reading at all): stale once expire_after passed
        (Seen(), None, 0, 121, None, "raise_stale"),
    ],
)
def test_decide(
    seen: Seen, celsius: float | None, read_s: float, now_s: float, out_since: object, flags: str
) -> None:
    d = decide(seen, celsius, at(read_s), at(now_s), R, GRACE, EXPIRE)
    raised = {
        name
        for name in ("raise_excursion", "resolve_excursion", "raise_stale", "resolve_stale")
        if getattr(d, name)
    }
    assert raised == (set(flags.split(",")) - {""})
    assert d.out_since == out_since


def test_a_probe_whose_range_was_removed_resolves_its_excursion() -> None:
    d = decide(Seen(at(0), excursion_open=True), 12.0, at(10), at(10), None, GRACE, EXPIRE)
    assert d.resolve_excursion and d.out_since is None


@pytest.mark.parametrize(
    ("when", "bucket_s", "expected"),
    [
        (dt.datetime(2026, 12, 2, 8, 0, 59), 60, dt.datetime(2026, 12, 2, 8, 0, 0)),
        (dt.datetime(2026, 12, 2, 8, 1, 0), 60, dt.datetime(2026, 12, 2, 8, 1, 0)),
        (dt.datetime(2026, 12, 2, 8, 14, 59), 900, dt.datetime(2026, 12, 2, 8, 0, 0)),
    ],
)
def test_bucket_of(when: dt.datetime, bucket_s: int, expected: dt.datetime) -> None:
    assert bucket_of(when, bucket_s) == expected


def test_coarsen_keeps_extremes_and_weights_the_average() -> None:
    points = [Point(at(i * 60), 2, 4.0 + i, 5.0 + i, 2 * (4.5 + i)) for i in range(10)]
    merged = coarsen(points, 3)
    assert len(merged) == 3
    assert merged[0].min_c == 4.0 and merged[0].max_c == 8.0 and merged[0].n == 8
    assert merged[0].avg_c == pytest.approx(6.0)
    assert sum(p.n for p in merged) == 20
    assert coarsen(points, 100) == points
