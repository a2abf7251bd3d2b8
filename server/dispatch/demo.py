"""The demo's dispatch (docs/dispatch.md, Demo): open manifests for DHL at DOCK-1 and UPS at
DOCK-2, whose doors the simulated floor opens and closes as trucks come and go
(server/demo/sensors.py); DOCK-3 has no door sensor and no manifest, so a dispatcher opens
one there for whichever carrier the packages packed at PACK-01 go with."""

from __future__ import annotations

from server.dispatch.manifests import CreateManifest
from server.spine import Actor, Spine

DEMO = Actor("system", "demo-seed")
MANIFESTS = [("DHL", "DOCK-1", "TR-DHL-1"), ("UPS", "DOCK-2", "TR-UPS-7")]


def seed(spine: Spine) -> list[str]:
    made = []
    for carrier, dock, trailer in MANIFESTS:
        result = spine.execute(CreateManifest(carrier, dock, "any", trailer), DEMO).result
        made.append(f"{carrier} at {dock} ({result['id']})")
    return [
        "Manifests open: " + ", ".join(made) + " (doors simulated); at DOCK-3 (no door "
        "sensor) a dispatcher opens one for any carrier: Dan D-1004 / 4444",
    ]
