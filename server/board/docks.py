"""The docks for the board: each dock with its door (open, closed, offline: the dispatch
area's one rule, server/dispatch/docks.py), the carriers' manifests open there with what
is loaded and what still waits for that carrier, and who dispatches there now.

A door's state is the device registry's, not an event (server/dispatch/doors.py): the
board's hub looks at the doors' rows once a second (`door_signature`) and reads the docks
again when one changed."""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from typing import Any

from server import rawsql
from server.config import Settings
from server.dispatch import docks as dispatch_docks
from server.dispatch import store
from server.models import FloorSession, HardwareDevice, Location, isoformat
from server.models.dispatch import ANY_SERVICE, Manifest, ManifestPackage

read_pickup = rawsql.reader(Manifest.planned_pickup_at)
read_loaded = rawsql.reader(ManifestPackage.loaded_at)


@functools.cache
def _manifests_sql() -> str:
    manifest, location, load = (rawsql.table(m) for m in (Manifest, Location, ManifestPackage))
    return (
        'SELECT m."manifest_id", l."code", m."carrier", m."service", m."trailer", '
        'm."reference", m."planned_pickup_at", COUNT(mp."id"), COUNT(DISTINCT mp."order_id"), '
        f'MAX(mp."loaded_at") FROM {manifest} m JOIN {location} l ON l."id" = m."dock_id" '
        f'LEFT JOIN {load} mp ON mp."manifest_id" = m."id" WHERE m."status" = \'open\' '
        'GROUP BY m."id", m."manifest_id", l."code", m."carrier", m."service", m."trailer", '
        'm."reference", m."planned_pickup_at", m."created_at" ORDER BY m."created_at", m."id"'
    )


def docks(settings: Settings, now: dt.datetime) -> list[dict[str, Any]]:
    """Every dock, in walk order, with its door, its open manifests and its dispatchers."""
    found_docks: list[Any] = list(
        Location.select(Location.code)
        .where(Location.kind == "dock")
        .order_by(Location.walk_sequence, Location.code)
        .tuples()
    )
    codes = [code for (code,) in found_docks]
    if not codes:
        return []
    doors = {dock: device for device, dock in dispatch_docks.doors(settings).items()}
    query = HardwareDevice.select().where(HardwareDevice.id.in_(list(doors.values())))
    rows = {r.id: r for r in query} if doors else {}
    waiting: dict[str, dict[str, int]] = defaultdict(dict)
    manifests: dict[str, list[dict[str, Any]]] = defaultdict(list)
    found = rawsql.execute(_manifests_sql()).fetchall()
    if found:  # what waits for each carrier (and service): only when a manifest is open
        for carrier, service, count in store.carriers_waiting():
            waiting[carrier][service] = count
    for manifest_id, dock, carrier, service, trailer, ref, pickup, loaded, orders, last in found:
        wait = waiting[carrier]
        manifests[dock].append(
            {
                "id": manifest_id,
                "carrier": carrier,
                "service": "any" if service == ANY_SERVICE else service,
                "trailer": trailer,
                "reference": ref,
                "planned_pickup_at": isoformat(read_pickup(pickup)),
                "loaded": int(loaded),
                "orders": int(orders),
                "waiting": sum(wait.values()) if service == ANY_SERVICE else wait.get(service, 0),
                "last_load": isoformat(read_loaded(last)) if last else None,
            }
        )
    at_dock = _dispatchers()
    out = []
    for code in codes:
        device = doors.get(code)
        row = rows.get(device) if device else None
        door = {
            "device": device,
            "status": dispatch_docks.door_status(settings, row, now) if device else "none",
            "since": isoformat(row.state_at) if row is not None else None,
        }
        out.append(
            {
                "dock": code,
                "door": door,
                "manifests": manifests.get(code, []),
                "dispatchers": sorted(at_dock.get(code, [])),
            }
        )
    return out


def _dispatchers() -> dict[str, list[str]]:
    """The badges of the open dispatch sessions, by the dock each works at (few sessions:
    their scratch state is read in Python, as server/dispatch/docks.py does)."""
    found: dict[str, list[str]] = defaultdict(list)
    query = FloorSession.select(FloorSession.badge, FloorSession.state).where(
        FloorSession.ended_at.is_null(), FloorSession.flow == dispatch_docks.FLOW
    )
    for row in query:
        dock = ((row.state or {}).get(dispatch_docks.FLOW) or {}).get("dock")
        if dock:
            found[dock].append(row.badge)
    return found


def door_signature(settings: Settings) -> tuple[Any, ...]:
    """What the configured doors' registry rows say now (state, availability, when): the
    hub reads the docks again when it changes. No statement when no door is configured."""
    devices = sorted(dispatch_docks.doors(settings))
    if not devices:
        return ()
    rows: list[Any] = list(
        HardwareDevice.select(
            HardwareDevice.id,
            HardwareDevice.state_at,
            HardwareDevice.availability,
            HardwareDevice.state,
        )
        .where(HardwareDevice.id.in_(devices))
        .order_by(HardwareDevice.id)
        .tuples()
    )
    return tuple((d, at, a, (s or {}).get("open")) for d, at, a, s in rows)
