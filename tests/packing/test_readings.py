"""Which scale reading counts, table-tested on timelines of readings."""

from __future__ import annotations

import datetime as dt

import pytest

from server.packing.readings import (
    MESSAGES,
    Counted,
    NotYet,
    Reading,
    ScaleState,
    WeighStep,
    counted,
    scale_state,
)

T0 = dt.datetime(2030, 1, 1, 12, 0, 0, tzinfo=dt.UTC)


def timeline(*points: tuple[float, bool]) -> list[Reading]:
    """Readings one second apart, seq 1, 2, 3, ..."""
    return [
        Reading(g, stable, T0 + dt.timedelta(seconds=i), i)
        for i, (g, stable) in enumerate(points, 1)
    ]


def step(seq: int, previous_seq: int | None = None) -> WeighStep:
    """The weigh step began just after reading `seq`."""
    return WeighStep(T0 + dt.timedelta(seconds=seq, milliseconds=500), seq, previous_seq)


EMPTY, PREV, PKG = (0.0, True), (1204.0, True), (812.5, True)
SETTLING = (790.0, False)


@pytest.mark.parametrize(
    ("readings", "the_step", "want"),
    [
        # the usual: the previous package taken off, the next one put on after the step began
        (timeline(PREV, EMPTY, SETTLING, PKG), step(2, 1), 4),
        # taken off before the step began, put on after
        (timeline(PREV, (0.5, False), SETTLING, PKG), step(2, 1), 4),
        # the first package since start-up: the scale was empty when the step began
        (timeline(EMPTY, SETTLING, PKG), step(1), 3),
        # the first package: put on after the step began, empty in between
        (timeline((300.0, True), EMPTY, PKG), step(1), 3),
        # the first stable reading counts; later ones do not replace it
        (timeline(EMPTY, PKG, (900.0, True)), step(1), 2),
        # a small package above the threshold counts
        (timeline(EMPTY, (10.0, True)), step(1), 2),
        # seq is the order, whatever order the readings come in
        (list(reversed(timeline(PREV, EMPTY, PKG))), step(2, 1), 3),
        # the package put on before the step, then read again after it (the scale repeats)
        (timeline(PREV, EMPTY, PKG, PKG), step(3, 1), 4),
    ],
)
def test_counts(readings: list[Reading], the_step: WeighStep, want: int) -> None:
    result = counted(readings, the_step)
    assert isinstance(result, Counted), result
    assert result.reading.seq == want and result.grams == result.reading.grams


@pytest.mark.parametrize(
    ("readings", "the_step", "waiting_for"),
    [
        ([], step(0), "package"),  # nothing heard yet
        (timeline(PREV, EMPTY), step(2, 1), "package"),
        (timeline(PREV, EMPTY, (3.0, True)), step(2, 1), "package"),  # noise on an empty pan
        (timeline(PREV, EMPTY, (-2.0, True)), step(2, 1), "package"),  # below zero: empty
        (timeline(PREV, EMPTY, SETTLING), step(2, 1), "stable"),
        # the previous package never left the scale: its reading repeats, stable
        (timeline(PREV, PREV, PREV), step(2, 1), "previous"),
        # ... nudged, or the next package stacked on it: never counts
        (timeline(PREV, (1180.0, False), (2016.5, True)), step(1, 1), "previous"),
        # the first package since start-up, loaded before the step began and never lifted
        (timeline(PKG, PKG), step(1), "loaded"),
        (timeline(PKG), step(0), "loaded"),  # no reading before the step: never seen empty
        # emptied and loaded before the step; no reading since it began
        (timeline(PREV, EMPTY, PKG), step(3, 1), "fresh"),
        # the first package: loaded before the step began; the state at the start is loaded
        (timeline(EMPTY, PKG), step(2), "loaded"),
    ],
)
def test_not_yet(readings: list[Reading], the_step: WeighStep, waiting_for: str) -> None:
    result = counted(readings, the_step)
    assert result == NotYet(waiting_for)  # type: ignore[arg-type]
    assert result.message == MESSAGES[result.waiting_for]


def test_a_reading_from_before_the_step_by_time_does_not_count() -> None:
    readings = [Reading(0.0, True, T0, 1), Reading(812.0, True, T0, 2)]  # later seq, same time
    assert counted(readings, WeighStep(T0 + dt.timedelta(seconds=1), 1)) == NotYet("fresh")


@pytest.mark.parametrize(
    ("threshold", "grams", "counts"),
    [(10.0, 9.9, False), (10.0, 10.0, True), (50.0, 40.0, False), (0.5, 0.5, True)],
)
def test_the_empty_threshold(threshold: float, grams: float, counts: bool) -> None:
    result = counted(timeline(EMPTY, (grams, True)), step(1), empty_below_g=threshold)
    assert isinstance(result, Counted) == counts


@pytest.mark.parametrize("threshold", [0.0, -1.0])
def test_zero_never_counts(threshold: float) -> None:
    with pytest.raises(ValueError, match="zero never counts"):
        counted(timeline(EMPTY, (0.0, True)), step(1), empty_below_g=threshold)


@pytest.mark.parametrize(
    ("online", "last", "want", "message"),
    [
        (False, None, ScaleState("offline"), "the scale is offline: weighing is blocked"),
        (
            False,
            Reading(812.0, True, T0, 1),
            ScaleState("offline"),
            "the scale is offline: weighing is blocked",
        ),
        (True, None, ScaleState("offline"), "the scale is offline: weighing is blocked"),
        (True, Reading(1812.4, False, T0, 1), ScaleState("live", 1812.4), "1,812 g (settling)"),
        (True, Reading(1812.6, True, T0, 1), ScaleState("stable", 1812.6), "1,813 g"),
        (True, Reading(0.0, True, T0, 1), ScaleState("stable", 0.0), "0 g"),
    ],
)
def test_scale_state(online: bool, last: Reading | None, want: ScaleState, message: str) -> None:
    state = scale_state(online, last)
    assert state == want and state.message == message
