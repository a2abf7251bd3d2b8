"""Weight tolerance, table-tested: expected weight, the allowance, overrides, the message."""

from __future__ import annotations

import pytest

from server.packing.tolerance import Expected, Line, Tolerance, WeightCheck, check, expected

SITE = Tolerance(percent=3, grams=20)
LIQUID = Tolerance(percent=5, grams=30)
BOOKS = [Line("BOOK", 400, 2), Line("PEN", 12, 4)]  # 848 g of units


@pytest.mark.parametrize(
    ("lines", "tare", "site", "want"),
    [
        (BOOKS, 356, SITE, Expected(1204, 36)),  # 3 % of 1,204 g = 36.12 g > 20 g
        ([Line("PEN", 12)], 30, SITE, Expected(42, 20)),  # light: the grams are the floor
        ([Line("PEN", 12)], 30, Tolerance(), Expected(42, 0)),  # no tolerance at all
        ([Line("X", 500)], 500, Tolerance(percent=2.5), Expected(1000, 25)),
        ([Line("X", 50)], 0, Tolerance(percent=1), Expected(50, 1)),  # 0.5 g rounds up
        ([Line("X", 49)], 0, Tolerance(percent=1), Expected(49, 0)),  # 0.49 g rounds down
        ([Line("X", 1000)], 0, Tolerance(percent=2.1), Expected(1000, 21)),  # exact decimal
        ([], 250, SITE, Expected(250, 20)),  # an empty box weighs its tare
        ([Line("X", 300, 0)], 250, SITE, Expected(250, 20)),  # a quantity of 0 weighs nothing
    ],
)
def test_expected(lines: list[Line], tare: int, site: Tolerance, want: Expected) -> None:
    assert expected(lines, tare, site) == want


@pytest.mark.parametrize(
    ("lines", "tare", "want"),
    [
        # the liquid's 5 % on its 2,000 g, the site's 3 % on the books and the box: 100 + 30.3
        (BOOKS + [Line("OIL", 1000, 2, LIQUID)], 162, Expected(3010, 130)),
        # a light liquid: its 30 g floor is the largest of the rules in play
        ([Line("PEN", 12), Line("INK", 60, 1, LIQUID)], 30, Expected(102, 30)),
        # a precise product narrows its own share (1 % of 1,000) but not the site's floor
        ([Line("GOLD", 1000, 1, Tolerance(1, 5))], 0, Expected(1000, 20)),
        ([Line("GOLD", 1000, 3, Tolerance(1, 5))], 0, Expected(3000, 30)),
        # a product whose own percent is 0: only the box and the floors remain
        ([Line("BAR", 10_000, 1, Tolerance(0, 50))], 1000, Expected(11_000, 50)),
    ],
)
def test_overrides(lines: list[Line], tare: int, want: Expected) -> None:
    assert expected(lines, tare, SITE) == want


@pytest.mark.parametrize(
    ("measured", "verdict", "deviation", "message"),
    [
        (1204, "within", 0, "1,204 g, within tolerance (expected 1,204 g ± 36 g)"),
        (1240, "within", 36, "1,240 g, within tolerance (expected 1,204 g ± 36 g)"),  # edge
        (1168, "within", -36, "1,168 g, within tolerance (expected 1,204 g ± 36 g)"),
        (1241, "over", 37, "37 g too heavy (expected 1,204 g ± 36 g)"),
        (1167, "under", -37, "37 g too light (expected 1,204 g ± 36 g)"),
        (1516, "over", 312, "312 g too heavy (expected 1,204 g ± 36 g)"),
        (1240.4, "within", 36, "1,240 g, within tolerance (expected 1,204 g ± 36 g)"),
        (1240.5, "over", 37, "37 g too heavy (expected 1,204 g ± 36 g)"),  # rounds half up
        (0.0, "under", -1204, "1,204 g too light (expected 1,204 g ± 36 g)"),
    ],
)
def test_check(measured: float, verdict: str, deviation: int, message: str) -> None:
    result = check(measured, BOOKS, 356, SITE)
    assert (result.verdict, result.deviation_g, result.message) == (verdict, deviation, message)
    assert result.within == (verdict == "within")
    assert result.expected_g == 1204 and result.allowed_g == 36


def test_deviation_percent() -> None:
    assert check(1516, BOOKS, 356, SITE).deviation_percent == pytest.approx(25.91, abs=0.01)
    assert check(1000, BOOKS, 356, SITE).deviation_percent == pytest.approx(-16.94, abs=0.01)
    assert WeightCheck(5, 0, 20, "within").deviation_percent is None


@pytest.mark.parametrize(
    "make",
    [
        lambda: Tolerance(-1, 0),
        lambda: Tolerance(0, -1),
        lambda: Line("X", -1),
        lambda: Line("X", 1, -1),
        lambda: expected([], -1, SITE),
    ],
)
def test_nonsense_is_an_error(make: object) -> None:
    with pytest.raises(ValueError):
        make()  # type: ignore[operator]
