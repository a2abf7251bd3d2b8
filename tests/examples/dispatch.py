"""Dispatch's example commands: manifests created, a split approved, closed and cancelled
(packages seeded as packed, then loaded over the floor), and the door sweep."""

from __future__ import annotations

import dataclasses
import datetime as dt

from server.dispatch.closing import CloseManifest
from server.dispatch.doors import SweepDockDoors
from server.dispatch.manifests import ApproveSplit, CancelManifest, CreateManifest
from server.spine import Spine
from tests.dispatch.tour import dispatcher, door, two_packages, with_door
from tests.examples import Example
from tests.examples.setup import floor_input
from tests.sync.conftest import TESTER


def _loaded(spine: Spine, loaded: int) -> str:
    """A DHL manifest at DOCK-1 with `loaded` of an order's two packages on it: its id."""
    ssccs = two_packages(spine, "EX-D")
    made = spine.execute(CreateManifest("DHL", "DOCK-1"), TESTER).result
    session = dispatcher(spine, "D-X")
    floor_input(spine, session, scan="DOCK-1")
    for sscc in ssccs[:loaded]:
        floor_input(spine, session, scan=f"00{sscc}")
    return str(made["id"])


def _open_door(spine: Spine) -> SweepDockDoors:
    spine.env = dataclasses.replace(spine.env, settings=with_door(spine))
    door(spine, True)
    return SweepDockDoors(now=dt.datetime(2100, 1, 1))


EXAMPLES: dict[type, Example] = {
    CreateManifest: lambda s: CreateManifest("DHL", "DOCK-1", "Paket", "TR-1"),
    ApproveSplit: lambda s: ApproveSplit(_loaded(s, 1), "EX-D", "trailer full"),
    CloseManifest: lambda s: CloseManifest(_loaded(s, 2), "SEAL-1"),
    CancelManifest: lambda s: CancelManifest(
        s.execute(CreateManifest("UPS", "DOCK-1"), TESTER).result["id"], "no truck"
    ),
    SweepDockDoors: _open_door,
}
