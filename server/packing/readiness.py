"""What a pack station lacks, said before a pack starts (on the home screen and on the
first pack screen) rather than in the middle of one: the GS1 prefix, a scale (or leave to
pack without one), a scale that answers, a printer that answers."""

from __future__ import annotations

from typing import Any

from server.packing.printing import printer_states
from server.packing.settings import PackingSettings
from server.packing.stations import StationDevices

NO_PREFIX = "No GS1 company prefix is configured: packages cannot be labelled (ask an admin)"


def station_warning(
    settings: PackingSettings, devices: StationDevices, reading: dict[str, Any] | None
) -> str | None:
    """What is missing at a station, said before a pack starts (on home and on the first
    pack screen), not in the middle of one. `reading`: its scale's (None: it has none)."""
    if not settings.gs1_company_prefix:
        return NO_PREFIX
    if devices.scale is None and not (settings.bench_packing or settings.manual_weight):
        return "This station has no scale: packages cannot be weighed here"
    if reading is not None and reading["status"] == "offline":
        return f"The scale {devices.scale} is offline: weighing is blocked until it is back"
    if devices.printer is None:
        return "This station has no label printer: labels come only as PDF"
    state = printer_states().get(devices.printer)
    if state is not None and state["availability"] == "offline":
        return f"The printer {devices.printer} does not answer: check it before packing"
    return None
