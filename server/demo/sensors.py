"""The demo's simulated MQTT devices, spoken as a bridge would (devices/simulated_sensors.py):
temperature probes in the fridge zone and one in the ambient aisle, dock door sensors and
pick-to-light modules. The fridge's probe drifts out of range now and then (a door left
ajar, a compressor cycle) and comes back, so the board shows an excursion, the held stock
and its release; the doors open and close as trucks come and go."""

from __future__ import annotations

import logging
import math
import random
import threading
import time
from dataclasses import dataclass

from devices.simulated_sensors import SimulatedSensorHub

log = logging.getLogger(__name__)

FRIDGE_PROBE = "probe-fridge-1"
PROBES = {FRIDGE_PROBE: "F-01-01", "probe-fridge-2": "F-01-02", "probe-ambient-1": "A-01-01-1"}
DOORS = {"door-dock-1": "DOCK-1", "door-dock-2": "DOCK-2"}
LIGHTS = {"ptl-A-01-01-1": "A-01-01-1", "ptl-A-01-02-1": "A-01-02-1"}
FRIDGE_RANGE = (2.0, 8.0)
AMBIENT_RANGE = (10.0, 30.0)


@dataclass
class Drift:
    """The fridge's excursions: every `every_s` (±30 %), `lasting_s` above the range."""

    every_s: float = 240.0
    lasting_s: float = 90.0
    peak_c: float = 11.5


def devices_settings() -> list[dict[str, str]]:
    """The `[[devices]]` of the simulated floor."""
    probes = [{"id": d, "kind": "probe", "location": loc} for d, loc in PROBES.items()]
    doors = [{"id": d, "kind": "door", "location": loc} for d, loc in DOORS.items()]
    lights = [{"id": d, "kind": "pick_to_light", "location": loc} for d, loc in LIGHTS.items()]
    return probes + doors + lights


def coldchain_settings(grace_s: float = 60.0) -> dict[str, object]:
    return {
        "grace_s": grace_s,
        "expire_after_s": 120.0,
        "quarantine_location": "QUAR-01",
        "ranges": [
            {"zone": "F", "min_c": FRIDGE_RANGE[0], "max_c": FRIDGE_RANGE[1]},
            {"zone": "A", "min_c": AMBIENT_RANGE[0], "max_c": AMBIENT_RANGE[1]},
        ],
    }


class SimulatedSensors:
    def __init__(self, mqtt_url: str, site: str, drift: Drift | None = None) -> None:
        self.hub = SimulatedSensorHub(
            mqtt_url,
            site,
            hub_id="demo-floor",
            doors=tuple(DOORS),
            probes=tuple(PROBES),
            lights={d: "pick_to_light" for d in LIGHTS},
        )
        self.drift = drift or Drift()
        self.rng = random.Random(3)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> SimulatedSensors:
        self.hub.start()
        self._thread = threading.Thread(target=self._run, name="demo-sensors", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        self.hub.stop()

    def fridge_at(self, t: float, next_excursion: float) -> float:
        """The fridge's temperature at `t`: 4 °C with a little noise, a bump while out."""
        base = 4.0 + 0.4 * math.sin(t / 50.0) + self.rng.uniform(-0.15, 0.15)
        into = t - next_excursion
        if 0 <= into <= self.drift.lasting_s:
            shape = math.sin(math.pi * into / self.drift.lasting_s)
            return base + (self.drift.peak_c - base) * min(1.0, 1.6 * shape)
        return base

    def _run(self) -> None:
        start = time.monotonic()
        next_excursion = 60.0  # the first one a minute after start
        next_door = 20.0
        while not self._stop.wait(5.0):
            t = time.monotonic() - start
            try:
                self.hub.temperature(FRIDGE_PROBE, round(self.fridge_at(t, next_excursion), 2))
                self.hub.temperature("probe-fridge-2", round(3.8 + self.rng.uniform(-0.2, 0.2), 2))
                self.hub.temperature("probe-ambient-1", round(19 + self.rng.uniform(-0.5, 0.5), 2))
                if t > next_excursion + self.drift.lasting_s:
                    next_excursion = t + self.drift.every_s * self.rng.uniform(0.7, 1.3)
                if t > next_door:
                    door = self.rng.choice(list(DOORS))
                    self.hub.door(door, True)
                    threading.Timer(self.rng.uniform(10, 40), self.hub.door, (door, False)).start()
                    next_door = t + self.rng.uniform(45, 120)
            except Exception:
                log.exception("demo sensors failed")
