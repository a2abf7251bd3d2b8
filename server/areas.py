"""The areas of Floorlink, in order: the one list the server, the CLI, the demo seed and
the tests iterate over. Adding an area is one line here (server/area.py says what an
area declares)."""

from __future__ import annotations

import os
from typing import Any

from server.area import Area
from server.board.area import AREA as BOARD
from server.catalog.area import AREA as CATALOG
from server.coldchain.area import AREA as COLDCHAIN
from server.config import Sections, Settings
from server.config import load_settings as _load_settings
from server.dispatch.area import AREA as DISPATCH
from server.floor.area import AREA as FLOOR
from server.hardware.area import AREA as HARDWARE
from server.inventory.area import AREA as INVENTORY
from server.orders.area import AREA as ORDERS
from server.packing.area import AREA as PACKING
from server.picking.area import AREA as PICKING
from server.returns.area import AREA as RETURNS
from server.supervision.area import AREA as SUPERVISION
from server.sync.area import AREA as SYNC
from server.totes.area import AREA as TOTES

AREAS: tuple[Area, ...] = (
    CATALOG,
    INVENTORY,
    ORDERS,
    SUPERVISION,
    SYNC,
    HARDWARE,
    COLDCHAIN,
    FLOOR,
    TOTES,
    PICKING,
    PACKING,
    DISPATCH,
    RETURNS,
    BOARD,
)


def sections(areas: tuple[Area, ...] = AREAS) -> Sections:
    found: dict[str, tuple[Any, Any]] = {}
    for area in areas:
        for key, section in area.settings.items():
            if key in found:
                raise RuntimeError(f"settings section {key!r} is declared by two areas")
            found[key] = section
    return found


def load_settings(
    path: str | os.PathLike[str] | None = None,
    env: dict[str, str] | None = None,
    *,
    areas: tuple[Area, ...] = AREAS,
    **overrides: Any,
) -> Settings:
    """The settings of a Floorlink made of `areas`: the core keys and every area's section."""
    return _load_settings(path, env, sections=sections(areas), **overrides)
