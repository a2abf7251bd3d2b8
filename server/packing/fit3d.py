"""The 3D fit under cartonization: do these cuboids fit in this space, and where.

First-fit-decreasing on extreme points. The items are sorted largest first; each goes at
the first extreme point (the lowest first: by z, then y, then x) and the first of its
axis-aligned rotations (up to 6) where it stays inside the space and overlaps nothing
placed, within the load and the volume left. Each placement adds its 3 far corners, and each of them slid back along
every axis to the nearest face of a placed item or the wall; points inside an item go.
When one order of the items fails, 2 other orders are tried (longest side first, largest
face first). A heuristic: a placement found is proof, a failure only means none was found.
Integers only; deterministic, bounded by the number of items, never by a clock.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from itertools import permutations
from typing import NamedTuple

Dims = tuple[int, int, int]
Cuboid = tuple[int, int, int, int, int, int]  # x, y, z, x2, y2, z2
Placed = list[tuple[int, Cuboid]]  # (item key, where), in placing order
_Point = tuple[int, int, int]  # z, y, x: sorted, the bottom first


class Item(NamedTuple):
    key: int  # the caller's
    dims: Dims
    weight: int


_ORDERS: tuple[Callable[[Item], tuple[int, int]], ...] = (
    lambda it: (-volume(it.dims), -max(it.dims)),  # largest first
    lambda it: (-max(it.dims), -volume(it.dims)),  # longest side first
    lambda it: (-_face(it.dims), -volume(it.dims)),  # largest face first
)


def pack(space: Dims, max_load: int, items: Sequence[Item]) -> Placed | None:
    """Where every item goes in `space` (at most `max_load` of weight), or None."""
    for order in _ORDERS:
        placed = _first_fit(space, max_load, sorted(items, key=order), skip=False)
        if placed is not None:
            return placed
    return None


def fill(space: Dims, max_load: int, items: Sequence[Item], beat: int = 0) -> Placed:
    """As much of `items` as the orders place (most volume, then most items), the rest left.
    An order that can no longer place `beat` of volume, or as much as an earlier order
    did, is given up (it could not win); [] when no order can reach `beat`."""
    best: Placed = []
    best_score = (-1, -1)
    for order in _ORDERS:
        floor = max(beat, best_score[0])
        placed = _first_fit(space, max_load, sorted(items, key=order), skip=True, floor=floor)
        if placed is None:
            continue
        score = (sum(_extent(c) for _, c in placed), len(placed))
        if score > best_score:
            best, best_score = placed, score
    return best


def volume(dims: Dims) -> int:
    return dims[0] * dims[1] * dims[2]


def fits_alone(dims: Dims, space: Dims) -> bool:
    """Whether some rotation of `dims` fits in `space`: sorted sides against sorted sides."""
    a, b, c = _sorted(dims)
    x, y, z = _sorted(space)
    return a <= x and b <= y and c <= z


@lru_cache(maxsize=4096)
def _sorted(dims: Dims) -> Dims:
    low, mid, high = sorted(dims)
    return (low, mid, high)


def _dominates(sides: Dims, smaller: list[Dims]) -> bool:
    """Whether `sides` is at least one of `smaller` on each sorted side."""
    a, b, c = sides
    return any(a >= s[0] and b >= s[1] and c >= s[2] for s in smaller)


def _face(dims: Dims) -> int:
    low, mid, high = sorted(dims)
    return mid * high


def _extent(c: Cuboid) -> int:
    return (c[3] - c[0]) * (c[4] - c[1]) * (c[5] - c[2])


@lru_cache(maxsize=4096)
def _rotations(dims: Dims, space: Dims) -> tuple[Dims, ...]:
    """The distinct rotations of `dims` that fit in `space`, in a fixed order."""
    length, width, height = space
    turns = sorted({(a, b, c) for a, b, c in permutations(dims)})
    return tuple(t for t in turns if t[0] <= length and t[1] <= width and t[2] <= height)


def _first_fit(
    space: Dims, max_load: int, items: list[Item], skip: bool, floor: int = 0
) -> Placed | None:
    """Each item at its first fit. Without `skip`, None as soon as one does not fit; with
    it, an item that does not fit (in space or in load) is left out, and None as soon as
    what is placed plus what could still be cannot reach `floor` of volume."""
    placed: list[Cuboid] = []  # reordered by _blocked
    where: Placed = []
    points: list[_Point] = [(0, 0, 0)]
    load, free = 0, volume(space)
    left = sum(volume(item.dims) for item in items)  # of the items not tried yet
    # Sorted sides that found no spot since the last placement: an item at least as large
    # on every sorted side finds none either (where it fit, the smaller one would).
    failed: list[Dims] = []
    for item in items:
        size = volume(item.dims)
        left -= size
        sides = _sorted(item.dims)
        too_much = load + item.weight > max_load or size > free or _dominates(sides, failed)
        spot = None if too_much else _spot(space, points, placed, item.dims)
        if spot is None:
            if not skip:
                return None
            if volume(space) - free + min(free, left) < floor:
                return None
            if not too_much:
                failed.append(sides)
            continue
        failed.clear()
        load, free = load + item.weight, free - size
        placed.append(spot)
        where.append((item.key, spot))
        points = _next_points(space, points, placed, spot)
    return where


def _spot(space: Dims, points: list[_Point], placed: list[Cuboid], dims: Dims) -> Cuboid | None:
    length, width, height = space
    rotations = _rotations(dims, space)
    for z, y, x in points:
        for dx, dy, dz in rotations:
            x2, y2, z2 = x + dx, y + dy, z + dz
            spot = (x, y, z, x2, y2, z2)
            if x2 <= length and y2 <= width and z2 <= height and not _blocked(placed, spot):
                return spot
    return None


def _blocked(placed: list[Cuboid], c: Cuboid) -> bool:
    """Whether `c` overlaps a placed cuboid. The blocker moves to the front: blockers
    cluster around a point, so the next rotation or point likely hits the same one."""
    x, y, z, x2, y2, z2 = c
    for i, b in enumerate(placed):
        if x < b[3] and b[0] < x2 and y < b[4] and b[1] < y2 and z < b[5] and b[2] < z2:
            if i:
                placed[i], placed[0] = placed[0], b
            return True
    return False


def _next_points(
    space: Dims, points: list[_Point], placed: list[Cuboid], spot: Cuboid
) -> list[_Point]:
    """The points still free, plus the spot's far corners and their projections."""
    x, y, z, x2, y2, z2 = spot
    fresh: set[Dims] = set()
    for corner in ((x2, y, z), (x, y2, z), (x, y, z2)):
        if corner[0] < space[0] and corner[1] < space[1] and corner[2] < space[2]:
            fresh.add(corner)
            fresh.update(_slides(corner, placed))
    # the points now inside the spot go (a point is z, y, x)
    kept = {p for p in points if not (x <= p[2] < x2 and y <= p[1] < y2 and z <= p[0] < z2)}
    kept.update((c, b, a) for a, b, c in fresh if not _covered(a, b, c, placed))
    return sorted(kept)


def _covered(x: int, y: int, z: int, placed: list[Cuboid]) -> bool:
    """Whether the point is inside a placed cuboid (the hot loop: inlined, no calls)."""
    for q in placed:  # noqa: SIM110 (any() over a generator costs 3x here)
        if q[0] <= x < q[3] and q[1] <= y < q[4] and q[2] <= z < q[5]:
            return True
    return False


def _slides(point: Dims, placed: list[Cuboid]) -> tuple[Dims, Dims, Dims]:
    """`point` slid back along each axis to the nearest face of a placed cuboid, or the
    wall: one pass over the placed cuboids for the 3 axes."""
    px, py, pz = point
    sx = sy = sz = 0
    for b in placed:
        in_y = b[1] <= py < b[4]
        in_z = b[2] <= pz < b[5]
        if in_y and in_z and sx < b[3] <= px:
            sx = b[3]
        if in_z and sy < b[4] <= py and b[0] <= px < b[3]:
            sy = b[4]
        if in_y and sz < b[5] <= pz and b[0] <= px < b[3]:
            sz = b[5]
    return (sx, py, pz), (px, sy, pz), (px, py, sz)
