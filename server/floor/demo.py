"""Demo operators (one per role) and two demo kiosks, for `floorlink demo`."""

from __future__ import annotations

from server.floor import operators
from server.floor.kiosks import AddKiosk
from server.spine import Actor, Spine

DEMO = Actor("system", "demo-seed")
DEMO_OPERATORS = [
    ("P-1001", "Pia Picker", ("picker",), "1111"),
    ("K-1002", "Karl Packer", ("packer",), "2222"),
    ("R-1003", "Rita Returns", ("returns",), "3333"),
    ("D-1004", "Dan Dispatch", ("dispatcher",), "4444"),
    ("S-1005", "Sue Supervisor", ("supervisor", "picker", "packer"), "5555"),
    ("A-1006", "Al Admin", ("admin", "supervisor"), "6666"),
]
DEMO_KIOSKS = [("HANDHELD-1", "handheld", None), ("STATION-PACK-01", "station", "PACK-01")]


def seed(spine: Spine) -> list[str]:
    lines = ["Floor operators (badge / PIN / roles):"]
    for badge, name, roles, pin in DEMO_OPERATORS:
        spine.execute(operators.AddOperator(badge, name, roles, operators.new_pin_hash(pin)), DEMO)
        lines.append(f"  {badge}  PIN {pin}  {name} ({', '.join(roles)})")
    lines.append("Kiosk enrollment codes (open /kiosk/, single use, 24 h):")
    for device_id, kind, station in DEMO_KIOSKS:
        code = spine.execute(AddKiosk(device_id, kind, station, 86_400.0), DEMO).result
        where = f" at {station}" if station else ""
        lines.append(f"  {device_id} ({kind}{where}): {code['enrollment_code']}")
    return lines
