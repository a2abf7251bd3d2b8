"""The 3D fit under cartonization: do these cuboids fit in this space, and where.

First-fit-decreasing on extreme points. The items are sorted largest first; each goes at
the first extreme point (the lowest first: by z, then y, then x) and the first of its
axis-aligned rotations (up to 6) where it stays inside the space and overlaps nothing
placed, within the load left. Each placement adds its 3 far corners, and each of them slid back along
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


def fill(space: Dims, max_load: int, items: Sequence[Item]) -> Placed:
    """As much of `items` as the orders place (most volume, then most items), the rest left."""
    tries = [
        _first_fit(space, max_load, sorted(items, key=order), skip=True) or [] for order in _ORDERS
    ]
    return max(tries, key=lambda placed: (sum(_extent(c) for _, c in placed), len(placed)))


def volume(dims: Dims) -> int:
    return dims[0] * dims[1] * dims[2]


def fits_alone(dims: Dims, space: Dims) -> bool:
    """Whether some rotation of `dims` fits in `space`: sorted sides against sorted sides."""
    return all(a <= b for a, b in zip(sorted(dims), sorted(space), strict=True))


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


def _first_fit(space: Dims, max_load: int, items: list[Item], skip: bool) -> Placed | None:
    """Each item at its first fit. Without `skip`, None as soon as one does not fit; with
    it, an item that does not fit (in space or in load) is left out."""
    placed: list[Cuboid] = []  # reordered by _blocked
    where: Placed = []
    points: list[_Point] = [(0, 0, 0)]
    load = 0
    for item in items:
        spot = None if load + item.weight > max_load else _spot(space, points, placed, item.dims)
        if spot is None:
            if skip:
                continue
            return None
        load += item.weight
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
            fresh.update(_slide(corner, axis, placed) for axis in range(3))
    kept = {p for p in points if not _inside((p[2], p[1], p[0]), spot)}
    kept.update((c, b, a) for a, b, c in fresh if not any(_inside((a, b, c), q) for q in placed))
    return sorted(kept)


def _slide(point: Dims, axis: int, placed: list[Cuboid]) -> Dims:
    """`point` slid back along `axis` to the nearest face of a placed cuboid, or the wall."""
    o1, o2 = (axis + 1) % 3, (axis + 2) % 3
    stop = 0
    for b in placed:
        face = b[axis + 3]
        across = b[o1] <= point[o1] < b[o1 + 3] and b[o2] <= point[o2] < b[o2 + 3]
        if stop < face <= point[axis] and across:
            stop = face
    moved = list(point)
    moved[axis] = stop
    return (moved[0], moved[1], moved[2])


def _inside(p: Dims, c: Cuboid) -> bool:
    return c[0] <= p[0] < c[3] and c[1] <= p[1] < c[4] and c[2] <= p[2] < c[5]
