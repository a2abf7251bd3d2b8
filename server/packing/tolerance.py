"""Weight tolerance: does a package weigh what it should (docs/packing.md, Weigh).

The rules, in whole grams:

- Expected weight = the units' weights + the box's tare.
- The allowed deviation, either way, is the LARGER of a percentage of the expected weight
  and a number of grams. The grams are the floor for light packages (2 % of a 150 g mailer
  is 3 g: less than a scale's step and the spread of the packing material); the percentage
  grows with heavy ones (products' weights vary in proportion to how many there are). A
  deviation equal to the allowance is within.
- A product may have its own tolerance (liquids, goods sold by weight). Its percentage
  applies to its own units' weight, the site's to the rest (products without their own
  and the box's tare); the grams are the largest of the rules in play: the site's (there
  is always a box) and those of the products in the package. So a product's own rule can
  widen or narrow the share of its units, and only widen the floor.
- Percentages are exact (decimal, not binary floating point); the percentage share and the
  measured weight are rounded half up to whole grams.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal


@dataclass(frozen=True)
class Tolerance:
    percent: float = 0.0  # of the expected weight
    grams: int = 0

    def __post_init__(self) -> None:
        if self.percent < 0 or self.grams < 0:
            raise ValueError("a tolerance's percent and grams must be >= 0")


@dataclass(frozen=True)
class Line:
    sku: str
    unit_weight_g: int
    quantity: int = 1
    tolerance: Tolerance | None = None  # the product's own; None: the site's

    def __post_init__(self) -> None:
        if self.unit_weight_g < 0 or self.quantity < 0:
            raise ValueError(f"{self.sku}: weight and quantity must be >= 0")

    @property
    def weight_g(self) -> int:
        return self.unit_weight_g * self.quantity


@dataclass(frozen=True)
class Expected:
    weight_g: int
    allowed_g: int  # either way


@dataclass(frozen=True)
class WeightCheck:
    measured_g: int
    expected_g: int
    allowed_g: int
    verdict: Literal["within", "over", "under"]

    @property
    def within(self) -> bool:
        return self.verdict == "within"

    @property
    def deviation_g(self) -> int:
        """Measured minus expected: positive when too heavy."""
        return self.measured_g - self.expected_g

    @property
    def deviation_percent(self) -> float | None:
        """The deviation as a percentage of the expected weight (None when that is 0)."""
        return 100 * self.deviation_g / self.expected_g if self.expected_g else None

    @property
    def message(self) -> str:
        """For the screen: '312 g too heavy (expected 1,204 g ± 36 g)'."""
        expected = f"expected {self.expected_g:,} g ± {self.allowed_g:,} g"
        if self.verdict == "within":
            return f"{self.measured_g:,} g, within tolerance ({expected})"
        way = "too heavy" if self.verdict == "over" else "too light"
        return f"{abs(self.deviation_g):,} g {way} ({expected})"


def expected(lines: Sequence[Line], tare_g: int, site: Tolerance) -> Expected:
    """The package's expected weight and the deviation allowed (see the module's rules)."""
    if tare_g < 0:
        raise ValueError("a box's tare must be >= 0")
    weight = tare_g + sum(line.weight_g for line in lines)
    share = Fraction(tare_g) * _exact(site.percent)
    for line in lines:
        share += line.weight_g * _exact((line.tolerance or site).percent)
    floor = max([site.grams, *(line.tolerance.grams for line in lines if line.tolerance)])
    return Expected(weight, max(floor, _half_up(share / 100)))


def check(measured_g: float, lines: Sequence[Line], tare_g: int, site: Tolerance) -> WeightCheck:
    """The measured weight against the expected one: within, or over or under by how much."""
    want = expected(lines, tare_g, site)
    measured = _half_up(Fraction(str(measured_g)))
    deviation = measured - want.weight_g
    verdict: Literal["within", "over", "under"] = (
        "within" if abs(deviation) <= want.allowed_g else "over" if deviation > 0 else "under"
    )
    return WeightCheck(measured, want.weight_g, want.allowed_g, verdict)


def _exact(percent: float) -> Fraction:
    """The percentage as written (2.1 is 21/10, not the binary float nearest to it)."""
    return Fraction(str(percent))


def _half_up(value: Fraction) -> int:
    return math.floor(value + Fraction(1, 2))
