"""Cartonization, table-tested; every Fit is checked by an independent validator."""

from __future__ import annotations

import random
from collections.abc import Sequence
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.packing.cartonize import Box, Fit, Packing, Refusal, Unit, choose, fits


def assert_valid(fit: Fit, units: Sequence[Unit]) -> None:
    """In bounds, no two units overlapping, each a rotation of its unit, within max load."""
    length, width, height = fit.box.dims
    for p in fit.placements:
        unit = units[p.index]
        assert p.sku == unit.sku
        assert sorted((p.l, p.w, p.h)) == sorted(unit.dims), f"{p} is not a rotation of {unit}"
        assert min(p.x, p.y, p.z) >= 0, p
        assert p.x + p.l <= length and p.y + p.w <= width and p.z + p.h <= height, p
    for a, b in combinations(fit.placements, 2):
        apart = (
            a.x + a.l <= b.x
            or b.x + b.l <= a.x
            or a.y + a.w <= b.y
            or b.y + b.w <= a.y
            or a.z + a.h <= b.z
            or b.z + b.h <= a.z
        )
        assert apart, f"{a} overlaps {b}"
    load = sum(units[p.index].weight_g for p in fit.placements)
    assert load == fit.units_weight_g <= fit.box.max_load_g
    assert fit.gross_weight_g == load + fit.box.tare_g


def assert_packs_all(packing: Packing, units: Sequence[Unit]) -> None:
    for fit in packing.packages:
        assert_valid(fit, units)
    indexes = sorted(p.index for fit in packing.packages for p in fit.placements)
    assert indexes == list(range(len(units))), "every unit in exactly one package"


def box(l: int, w: int, h: int, max_g: int = 50_000, code: str = "B", tare: int = 0) -> Box:  # noqa: E741
    return Box(code, (l, w, h), tare, max_g)


def same(n: int, dims: tuple[int, int, int], g: int = 1000, sku: str = "U") -> list[Unit]:
    return [Unit(f"{sku}{i}", dims, g) for i in range(n)]


CUBES = (100, 100, 100)
BAR = (300, 100, 100)


# -- one box: fits or not -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("the_box", "units"),
    [
        (box(200, 200, 200), same(8, CUBES)),  # 8 cubes of 100 mm in a 200 mm cube
        (box(300, 300, 300, 99_999), same(27, CUBES, 1)),  # exact fill
        (box(310, 110, 210), same(2, BAR, 500)),  # stacked
        (box(110, 210, 310), same(2, BAR, 500)),  # by rotation
        (box(310, 210, 110), same(2, (100, 100, 300), 500)),  # both lie down
        # a 200x100x100 bar and a standing 100x100x200 one: the second must lie down
        (box(200, 200, 100), [Unit("a", (200, 100, 100), 1), Unit("c", (100, 100, 200), 1)]),
        # 4 bars in 4 orientations in a 200 mm cube
        (
            box(200, 200, 200),
            [
                Unit("a", (200, 100, 100), 1),
                Unit("b", (100, 200, 100), 1),
                Unit("c", (100, 100, 200), 1),
                Unit("d", (200, 100, 100), 1),
            ],
        ),
        (box(200, 200, 200, 8000), same(8, CUBES)),  # max load reached exactly
        (box(200, 200, 200, 8000, tare=900), same(8, CUBES)),  # the tare is not load
        (box(100, 100, 100), same(1, CUBES)),  # a unit the size of the box
        (box(500, 20, 20), [Unit("rod", (20, 500, 20), 50)]),  # a rod on its side
    ],
)
def test_fits(the_box: Box, units: list[Unit]) -> None:
    fit = fits(the_box, units)
    assert isinstance(fit, Fit), fit
    assert fit.box == the_box
    assert_valid(fit, units)
    assert [p.index for p in fit.placements] == list(range(len(units)))


@pytest.mark.parametrize(
    ("the_box", "units", "kind", "message"),
    [
        (
            box(200, 200, 200),
            same(9, CUBES),
            "volume",
            "the units' volume exceeds the box's (9,000 cm³, box B 8,000 cm³)",
        ),
        (
            box(200, 200, 200, 5000),
            same(8, CUBES),
            "over_max_load",
            "box B is over its max load by 3,000 g (8,000 g of units, max 5,000 g)",
        ),
        (
            box(250, 200, 100),
            [Unit("MUG", CUBES, 300), Unit("LAMP", (120, 120, 260), 900)],
            "too_small",
            "box B (250×200×100 mm) is too small for LAMP (120×120×260 mm) in any orientation",
        ),
        (
            box(200, 200, 290),  # volume and sides allow each, but never both together
            same(2, (150, 150, 150), 100, "CUBE"),
            "no_fit",
            "the units do not fit together in box B (200×200×290 mm): no arrangement found",
        ),
        (
            box(200, 100, 100),  # each bar fits alone; the two exceed the volume
            same(2, (150, 100, 100)),
            "volume",
            "the units' volume exceeds the box's (3,000 cm³, box B 2,000 cm³)",
        ),
    ],
)
def test_fits_refuses(the_box: Box, units: list[Unit], kind: str, message: str) -> None:
    refusal = fits(the_box, units)
    assert isinstance(refusal, Refusal)
    assert (refusal.kind, refusal.message) == (kind, message)


def test_too_small_names_the_sku() -> None:
    refusal = fits(box(100, 100, 100), [Unit("OK", (50, 50, 50), 1), Unit("BIG", BAR, 1)])
    assert isinstance(refusal, Refusal) and refusal.sku == "BIG"


# -- the catalogue: the smallest box, or a split ---------------------------------------------

S = Box("S", (250, 200, 100), 120, 5000)
M = Box("M", (300, 250, 200), 250, 10_000)
L = Box("L", (400, 300, 250), 400, 15_000)
XL = Box("XL", (500, 400, 300), 600, 20_000)
CATALOGUE = (XL, S, L, M)  # any order: choose ranks them


@pytest.mark.parametrize(
    ("boxes", "units", "codes", "counts"),
    [
        (CATALOGUE, same(1, CUBES, 200), ["S"], [1]),
        (CATALOGUE, same(4, CUBES, 200), ["S"], [4]),
        (CATALOGUE, same(4, CUBES, 1500), ["M"], [4]),  # S carries 5 kg: M
        (CATALOGUE, same(1, (280, 80, 80), 100), ["M"], [1]),  # 280 mm: longer than S
        (CATALOGUE, same(10, CUBES, 100), ["M"], [10]),  # S holds 8 by volume, 4 in fact
        # ties on volume go by code
        (
            (Box("B", (200, 100, 100), 0, 9000), Box("A", (100, 200, 100), 0, 9000)),
            same(1, CUBES),
            ["A"],
            [1],
        ),
        # 3 heavy units: XL carries 2 of them, the third goes in the smallest that takes it
        (CATALOGUE, same(3, CUBES, 9000), ["XL", "M"], [2, 1]),
        # too much for any one box: XL filled, the rest shrunk to the smallest box
        (CATALOGUE, same(65, CUBES, 100), ["XL", "M"], [60, 5]),  # S holds 4 cubes
    ],
)
def test_choose(
    boxes: Sequence[Box], units: list[Unit], codes: list[str], counts: list[int]
) -> None:
    packing = choose(boxes, units)
    assert isinstance(packing, Packing), packing
    assert_packs_all(packing, units)
    assert [fit.box.code for fit in packing.packages] == codes
    assert [len(fit.placements) for fit in packing.packages] == counts
    assert packing.split == (len(codes) > 1)


@pytest.mark.parametrize(
    ("units", "kind", "sku", "message"),
    [
        (
            [Unit("MUG", CUBES, 200), Unit("POLE", (20, 20, 900), 800)],
            "unit_too_big",
            "POLE",
            "POLE is 900 mm long; the longest inner side of any box is 500 mm",
        ),
        (
            [Unit("SLAB", (450, 450, 10), 800)],  # short enough, but too wide for every box
            "unit_too_big",
            "SLAB",
            "SLAB (450×450×10 mm) fits no box in any orientation",
        ),
        (
            [Unit("ANVIL", CUBES, 25_000)],
            "unit_too_heavy",
            "ANVIL",
            "ANVIL weighs 25,000 g; the boxes it fits in carry at most 20,000 g",
        ),
        (
            [Unit("LONG", (450, 100, 100), 16_000)],  # only XL is long enough, and carries 20 kg
            None,
            None,
            None,
        ),
    ],
)
def test_choose_refuses_a_unit(
    units: list[Unit], kind: str | None, sku: str | None, message: str | None
) -> None:
    result = choose(CATALOGUE, units)
    if kind is None:
        assert isinstance(result, Packing) and [f.box.code for f in result.packages] == ["XL"]
        return
    assert isinstance(result, Refusal)
    assert (result.kind, result.sku, result.message) == (kind, sku, message)


def test_heavy_unit_fits_only_a_weak_box() -> None:
    boxes = (Box("LONG", (700, 100, 100), 100, 2000), Box("CUBE", (400, 400, 400), 100, 30_000))
    refusal = choose(boxes, [Unit("ROD", (650, 50, 50), 2500)])
    assert isinstance(refusal, Refusal) and refusal.kind == "unit_too_heavy"
    assert refusal.message == "ROD weighs 2,500 g; the boxes it fits in carry at most 2,000 g"


def test_no_boxes() -> None:
    assert choose((), same(1, CUBES)) == Refusal("no_boxes", "there are no boxes in the catalogue")


def test_an_empty_order_is_an_error() -> None:
    with pytest.raises(ValueError, match="nothing to pack"):
        choose(CATALOGUE, [])
    with pytest.raises(ValueError, match="nothing to pack"):
        fits(S, [])


@pytest.mark.parametrize(
    "make",
    [
        lambda: Box("X", (0, 10, 10), 0, 100),
        lambda: Box("X", (10, 10, 10), -1, 100),
        lambda: Box("X", (10, 10, 10), 0, 0),
        lambda: Unit("X", (10, -1, 10), 1),
        lambda: Unit("X", (10, 10, 10), -5),
    ],
)
def test_nonsense_is_an_error(make: object) -> None:
    with pytest.raises(ValueError):
        make()  # type: ignore[operator]


# -- mixed orders: always valid, always the same ---------------------------------------------

BENCH_BOXES = (
    Box("S", (250, 200, 100), 100, 5000),
    Box("M", (300, 250, 200), 100, 10_000),
    Box("L", (400, 300, 250), 100, 15_000),
    Box("XL", (500, 400, 300), 100, 20_000),
    Box("XXL", (600, 400, 400), 100, 25_000),
    Box("JUMBO", (800, 600, 500), 100, 30_000),
)


def mixed_order(seed: int, n: int = 50) -> list[Unit]:
    """The mix the benchmark uses: n units of small parcel goods (the lab's generator)."""
    rnd = random.Random(seed)
    return [
        Unit(
            f"u{i}",
            (
                rnd.choice([40, 50, 60, 80, 100, 120, 150]),
                rnd.choice([30, 40, 50, 60, 80, 100]),
                rnd.choice([20, 30, 40, 50, 60, 80]),
            ),
            rnd.randint(50, 400),
        )
        for i in range(n)
    ]


@pytest.mark.parametrize("seed", range(20))
def test_mixed_orders(seed: int) -> None:
    units = mixed_order(seed)
    packing = choose(BENCH_BOXES, units)
    assert isinstance(packing, Packing)
    assert_packs_all(packing, units)
    assert choose(BENCH_BOXES, units) == packing  # deterministic


@pytest.mark.parametrize("seed", range(5))
def test_mixed_orders_split(seed: int) -> None:
    """200 units are too many for any one box: a split, every package valid and shrunk."""
    units = mixed_order(seed, 200)
    packing = choose(BENCH_BOXES, units)
    assert isinstance(packing, Packing) and packing.split
    assert_packs_all(packing, units)
    for fit in packing.packages:
        mine = [units[p.index] for p in fit.placements]
        smaller = BENCH_BOXES[: BENCH_BOXES.index(fit.box)]
        assert not any(isinstance(fits(b, mine), Fit) for b in smaller), "shrunk to the smallest"


sides = st.integers(min_value=1, max_value=400)
dims = st.tuples(sides, sides, sides)


@settings(max_examples=150, deadline=None)
@given(
    boxes=st.lists(
        st.builds(
            Box,
            st.text("ABC", min_size=1, max_size=2),
            dims,
            st.integers(0, 500),
            st.integers(1, 20_000),
        ),
        min_size=1,
        max_size=4,
    ),
    units=st.lists(
        st.builds(
            Unit, st.just("SKU"), st.tuples(*(st.integers(1, 200),) * 3), st.integers(0, 5000)
        ),
        min_size=1,
        max_size=12,
    ),
)
def test_whatever_choose_says_holds(boxes: list[Box], units: list[Unit]) -> None:
    result = choose(boxes, units)
    if isinstance(result, Packing):
        assert_packs_all(result, units)
    else:
        assert result.kind in ("unit_too_big", "unit_too_heavy") and result.sku == "SKU"
