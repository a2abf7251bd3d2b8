"""Demo totes for `floorlink demo`, so a demo picker can actually pick (a tote per order)."""

from __future__ import annotations

from server.spine import Actor, Spine
from server.totes.handlers import UpsertTotes

DEMO = Actor("system", "demo-seed")
TOTES = [f"TOTE-{n:04d}" for n in range(1, 51)]


def seed(spine: Spine) -> list[str]:
    spine.execute(UpsertTotes(TOTES), DEMO)
    return [f"Totes for picking: {TOTES[0]} .. {TOTES[-1]} (scan one empty tote per order)"]
