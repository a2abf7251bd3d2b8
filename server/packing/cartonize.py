"""Cartonization: which box, or boxes, an order's units go in (docs/packing.md).

The rules, in integers (millimetres, grams):

- A box fits when every unit has a place in it: axis-aligned, in any of its 6 rotations,
  inside the box's inner dimensions and overlapping no other unit. A real 3D fit, not
  volume alone (server/packing/fit3d.py): a `Fit` carries the placements that prove it.
- A box carries at most its max load of units. Its tare does not count against the max
  load (the max load is what the box carries); the tare counts in the package's expected
  weight (`Fit.gross_weight_g`, server/packing/tolerance.py).
- `choose` suggests the smallest box (inner volume, then code) that fits all the units.
  When none does, it splits, greedily: fill the box that takes the most of what is left
  (volume, then units, then the smaller box), repeat on the rest until one box takes it
  all, then shrink each package to the smallest box that fits its own units. A unit that
  fits no box at all is refused by sku: too big in every rotation, or heavier than the max
  load of every box it fits in.
- `fits` answers for one box (the packer scanned another box than the suggestion): a `Fit`
  or the `Refusal` saying why. Cheap checks first: each unit against the box's sides, the
  units' weight against the max load, their volume against the box's; then the 3D fit.
- An order with no units is an error (ValueError): there is nothing to pack.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from server.packing import fit3d
from server.packing.fit3d import Dims


@dataclass(frozen=True)
class Box:
    code: str
    dims: Dims  # inner length, width, height (mm): the x, y, z of the placements
    tare_g: int
    max_load_g: int  # of units; the tare is not part of it

    def __post_init__(self) -> None:
        if min(self.dims) <= 0 or self.tare_g < 0 or self.max_load_g <= 0:
            raise ValueError(f"box {self.code}: dimensions and max load must be > 0, tare >= 0")


@dataclass(frozen=True)
class Unit:
    sku: str
    dims: Dims  # mm, in any order
    weight_g: int

    def __post_init__(self) -> None:
        if min(self.dims) <= 0 or self.weight_g < 0:
            raise ValueError(f"unit {self.sku}: dimensions must be > 0 and weight >= 0")


@dataclass(frozen=True)
class Placement:
    index: int  # the unit's position in the order's units
    sku: str
    x: int  # the unit's corner nearest the box's origin (mm)
    y: int
    z: int
    # the unit's extent along x, y, z (length, width, height): a rotation of its dims
    l: int  # noqa: E741
    w: int
    h: int


@dataclass(frozen=True)
class Fit:
    box: Box
    placements: tuple[Placement, ...]  # one per unit in the box, by index
    units_weight_g: int

    @property
    def gross_weight_g(self) -> int:
        return self.units_weight_g + self.box.tare_g


@dataclass(frozen=True)
class Packing:
    packages: tuple[Fit, ...]  # one when a single box fits, else the split

    @property
    def split(self) -> bool:
        return len(self.packages) > 1


RefusalKind = Literal[
    "too_small", "over_max_load", "volume", "no_fit", "unit_too_big", "unit_too_heavy", "no_boxes"
]


@dataclass(frozen=True)
class Refusal:
    kind: RefusalKind
    message: str  # for the screen
    sku: str | None = None


Indexed = list[tuple[int, Unit]]


def choose(boxes: Sequence[Box], units: Sequence[Unit]) -> Packing | Refusal:
    """The smallest box that fits all `units`, else the fewest boxes found, else why not."""
    _require(units)
    if not boxes:
        return Refusal("no_boxes", "there are no boxes in the catalogue")
    ranked = sorted(boxes, key=lambda b: (fit3d.volume(b.dims), b.code))
    for unit in units:
        refusal = _fits_no_box(ranked, unit)
        if refusal is not None:
            return refusal
    packages: list[Fit] = []
    rest = list(enumerate(units))
    while (whole := _smallest_fit(ranked, rest)) is None:
        filled = _best_fill(ranked, rest)
        taken = {p.index for p in filled.placements}
        packages.append(_smallest_fit(ranked, [u for u in rest if u[0] in taken], filled) or filled)
        rest = [u for u in rest if u[0] not in taken]
    return Packing((*packages, whole))


def fits(box: Box, units: Sequence[Unit]) -> Fit | Refusal:
    """Whether all `units` fit in `box`: the placements, or the reason it is refused."""
    _require(units)
    return _fit(box, list(enumerate(units)))


def _require(units: Sequence[Unit]) -> None:
    if not units:
        raise ValueError("an order with no units has nothing to pack")


def _fits_no_box(ranked: list[Box], unit: Unit) -> Refusal | None:
    roomy = [b for b in ranked if fit3d.fits_alone(unit.dims, b.dims)]
    if not roomy:
        longest = max(max(b.dims) for b in ranked)
        why = (
            f"is {max(unit.dims)} mm long; the longest inner side of any box is {longest} mm"
            if max(unit.dims) > longest
            else f"({_mm(unit.dims)}) fits no box in any orientation"
        )
        return Refusal("unit_too_big", f"{unit.sku} {why}", unit.sku)
    most = max(b.max_load_g for b in roomy)
    if unit.weight_g > most:
        why = f"weighs {unit.weight_g:,} g; the boxes it fits in carry at most {most:,} g"
        return Refusal("unit_too_heavy", f"{unit.sku} {why}", unit.sku)
    return None


def _smallest_fit(ranked: list[Box], indexed: Indexed, known: Fit | None = None) -> Fit | None:
    """The first box of `ranked` the units fit in; `known`, a fit already found for them,
    ends the search at its box (no box after it is smaller)."""
    for box in ranked:
        if known is not None and box == known.box:
            return known
        fit = _fit(box, indexed)
        if isinstance(fit, Fit):
            return fit
    return None


def _best_fill(ranked: list[Box], indexed: Indexed) -> Fit:
    """The box that takes the most of `indexed`: volume, then units, then the smaller box."""
    best: tuple[tuple[int, int, int], Fit] | None = None
    # Largest box first: a box whose whole inner volume is less than what another box took
    # cannot take more, so it is not tried (the split of a large order stays cheap).
    for rank, box in sorted(enumerate(ranked), key=lambda rb: -fit3d.volume(rb[1].dims)):
        if best is not None and fit3d.volume(box.dims) < best[0][0]:
            continue
        beat = 0 if best is None else best[0][0]
        placed = fit3d.fill(box.dims, box.max_load_g, _items(indexed), beat)
        fit = _as_fit(box, indexed, placed)
        volume = sum(p.l * p.w * p.h for p in fit.placements)
        score = (volume, len(fit.placements), -rank)
        if best is None or score > best[0]:
            best = (score, fit)
    if best is None or not best[1].placements:  # choose checked that each unit fits a box
        raise RuntimeError("no box takes any of the units left")
    return best[1]


def _fit(box: Box, indexed: Indexed) -> Fit | Refusal:
    refusal = _cheap_refusal(box, [unit for _, unit in indexed])
    if refusal is not None:
        return refusal
    placed = fit3d.pack(box.dims, box.max_load_g, _items(indexed))
    if placed is None:
        why = f"the units do not fit together in box {box.code} ({_mm(box.dims)})"
        return Refusal("no_fit", f"{why}: no arrangement found")
    return _as_fit(box, indexed, placed)


def _cheap_refusal(box: Box, units: list[Unit]) -> Refusal | None:
    for unit in units:
        if not fit3d.fits_alone(unit.dims, box.dims):
            why = f"box {box.code} ({_mm(box.dims)}) is too small for {unit.sku}"
            return Refusal("too_small", f"{why} ({_mm(unit.dims)}) in any orientation", unit.sku)
    load = sum(unit.weight_g for unit in units)
    if load > box.max_load_g:
        over = f"box {box.code} is over its max load by {load - box.max_load_g:,} g"
        return Refusal("over_max_load", f"{over} ({load:,} g of units, max {box.max_load_g:,} g)")
    volume = sum(fit3d.volume(unit.dims) for unit in units)
    if volume > fit3d.volume(box.dims):
        cm3 = f"{-(-volume // 1000):,} cm³, box {box.code} {fit3d.volume(box.dims) // 1000:,} cm³"
        return Refusal("volume", f"the units' volume exceeds the box's ({cm3})")
    return None


def _items(indexed: Indexed) -> list[fit3d.Item]:
    return [fit3d.Item(index, unit.dims, unit.weight_g) for index, unit in indexed]


def _as_fit(box: Box, indexed: Indexed, placed: fit3d.Placed) -> Fit:
    units = dict(indexed)
    placements = tuple(
        Placement(i, units[i].sku, c[0], c[1], c[2], c[3] - c[0], c[4] - c[1], c[5] - c[2])
        for i, c in sorted(placed)
    )
    return Fit(box, placements, sum(units[i].weight_g for i, _ in placed))


def _mm(dims: Dims) -> str:
    return "×".join(str(d) for d in dims) + " mm"
