"""The demo's dispatch (docs/dispatch.md, Demo): a manifest for each carrier of the demo's
orders waiting at the docks, so what is packed at PACK-01 can be loaded at once (DOCK-1
has the demo's door sensor, `floorlink demo door open|closed`)."""

from __future__ import annotations

from server.dispatch.manifests import CreateManifest
from server.spine import Actor, Spine

DEMO = Actor("system", "demo-seed")
DEMO_DOOR = "door-dock-1"
MANIFESTS = [("DHL", "DOCK-1", "TR-DHL-1"), ("UPS", "DOCK-2", "TR-UPS-7")]


def seed(spine: Spine) -> list[str]:
    made = []
    for carrier, dock, trailer in MANIFESTS:
        result = spine.execute(CreateManifest(carrier, dock, "any", trailer), DEMO).result
        made.append(f"{carrier} at {dock} ({result['id']})")
    return [
        "Manifests open: " + ", ".join(made) + "; a dispatcher opens others at DOCK-3",
    ]
