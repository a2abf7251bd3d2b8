"""Pure walk order: the sequence in which a picker visits the pick tasks of a batch.

Locations carry a `walk_sequence` (the site's own route); where two share one (or none is
set) the code decides, serpentine by aisle: `ZONE-AISLE-BAY-LEVEL` with bays ascending in
odd aisles and descending in even ones, so the picker never walks an aisle twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CODE = re.compile(r"^(?P<zone>[A-Za-z]+)-(?P<aisle>\d+)-(?P<bay>\d+)(?:-(?P<level>\d+))?$")


@dataclass(frozen=True)
class Stop:
    key: int  # what the caller orders (a task id)
    location: str
    walk_sequence: int


def serpentine_key(code: str) -> tuple[str, int, int, int, str]:
    match = _CODE.match(code)
    if match is None:
        return ("~", 0, 0, 0, code)  # unstructured codes after the aisles, by name
    aisle, bay = int(match["aisle"]), int(match["bay"])
    level = int(match["level"] or 0)
    return (match["zone"].upper(), aisle, bay if aisle % 2 else -bay, level, code)


def walk_order(stops: list[Stop]) -> list[int]:
    """The keys of the stops in walking order."""
    ordered = sorted(stops, key=lambda s: (s.walk_sequence, serpentine_key(s.location), s.key))
    return [s.key for s in ordered]
