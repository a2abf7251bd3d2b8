"""Which scale reading counts as a package's weight, and the scale's state for the screen.

A reading is the scale's state at one moment: grams, stable (the scale's own judgement,
MT-SICS "S" rather than "SD"), when the server took it, and its `seq`, increasing for the
scale in the order the server took its readings (across the scale's sessions). The weigh
step of a package starts at a time and a seq (the packer reached it) and knows the seq of
the reading that counted for the previous package at this scale, if there was one.

A reading counts when all of these hold:

1. it is stable;
2. it weighs at least `empty_below_g` (more than 0, so zero never counts): below that the
   scale is empty;
3. it came after the step started (a later seq, and not earlier in time): nothing read
   before the packer reached the step counts;
4. the scale was empty since the previous package: some reading below `empty_below_g`
   (stable or not) after the previous package's counted reading and before this one.
   With no previous package at this scale, the scale's state at the step start (its last
   reading at or before it), or a later reading, must be that empty one.

Rule 4 is the return-to-zero interlock of checkweighers, and the only rule of those that
come to mind that proves the previous package has left. "The weight changed" would take
the next package stacked on the previous one, or the previous one pressed by a hand;
"unstable at the start" would take the previous package nudged. So a scale that never goes
back below the threshold (the previous package left on it, a tape roll on the pan, a
drifted zero) keeps the step waiting, with the reason on the screen, until it is cleared
or zeroed; a scale never seen empty (no reading before) has not shown that it was.
The first reading that counts is the weight: later ones do not replace it.
`counted` looks only at the readings it is given: since the previous package's counted
reading, or since the scale's last reading before the step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Reading:
    grams: float
    stable: bool
    at: dt.datetime
    seq: int


@dataclass(frozen=True)
class WeighStep:
    at: dt.datetime  # when the packer reached the weigh step
    seq: int  # the scale's last seq then
    previous_seq: int | None = None  # the previous package's counted reading at this scale


@dataclass(frozen=True)
class Counted:
    reading: Reading

    @property
    def grams(self) -> float:
        return self.reading.grams


WaitingFor = Literal["package", "stable", "previous", "loaded", "fresh"]

MESSAGES: dict[WaitingFor, str] = {
    "package": "put the package on the scale",
    "stable": "waiting for a stable reading",
    "previous": "the scale still shows the previous package: take it off",
    "loaded": "the scale was not empty when the weigh step began: take everything off",
    "fresh": "the package was on the scale before the weigh step: lift it and put it back",
}


@dataclass(frozen=True)
class NotYet:
    waiting_for: WaitingFor

    @property
    def message(self) -> str:
        return MESSAGES[self.waiting_for]


@dataclass(frozen=True)
class ScaleState:
    status: Literal["offline", "live", "stable"]
    grams: float | None = None

    @property
    def message(self) -> str:
        if self.status == "offline" or self.grams is None:
            return "the scale is offline: weighing is blocked"
        shown = f"{self.grams:,.0f} g"
        return shown if self.status == "stable" else f"{shown} (settling)"


def counted(
    readings: Sequence[Reading], step: WeighStep, empty_below_g: float = 10.0
) -> Counted | NotYet:
    """The reading that counts for the package of `step`, or what the step waits for."""
    if empty_below_g <= 0:
        raise ValueError("empty_below_g must be more than 0: zero never counts")
    ordered = sorted(readings, key=lambda r: r.seq)
    since = _emptied_after(ordered, step)
    emptied = False
    for reading in ordered:
        if reading.seq <= since:
            continue
        if reading.grams < empty_below_g:
            emptied = True
        elif emptied and reading.stable and _after(reading, step):
            return Counted(reading)
    if not ordered or ordered[-1].grams < empty_below_g:
        return NotYet("package")
    if not emptied:
        return NotYet("loaded" if step.previous_seq is None else "previous")
    # emptied, then a stable load that did not count: it was read before the step began
    return NotYet("fresh" if ordered[-1].stable else "stable")


def scale_state(online: bool, last: Reading | None) -> ScaleState:
    """What the screen shows of the scale: offline, a live reading, or a stable one."""
    if not online or last is None:
        return ScaleState("offline")
    return ScaleState("stable" if last.stable else "live", last.grams)


def _emptied_after(ordered: list[Reading], step: WeighStep) -> int:
    """The seq after which an empty reading shows the scale was cleared for this package."""
    if step.previous_seq is not None:
        return step.previous_seq
    at_start = [r.seq for r in ordered if r.seq <= step.seq]
    return at_start[-1] - 1 if at_start else step.seq


def _after(reading: Reading, step: WeighStep) -> bool:
    return reading.seq > step.seq and reading.at >= step.at
