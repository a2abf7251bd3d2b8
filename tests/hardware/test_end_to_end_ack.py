"""The bridge keeps every event until the server confirms it committed it: a real Mosquitto
killed with SIGKILL several times in a stream of scans and weights from several bridges,
and every event is applied once, in seq order per device (docs/devices.md, Store and
forward). Run with Mosquitto's default autosave (a killed broker forgets everything since
it started, sessions and queued messages) and with autosave every second."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from devices.serial_scale import ScaleConfig
from devices.serial_scanner import ScannerConfig
from devices.simulated import SimulatedScale
from firmware_bridge.bridge import Bridge
from firmware_bridge.config import BridgeConfig
from server.db import connection
from server.floor import stations
from server.hardware.routes import DeviceEvent
from server.models import Event
from server.models.hardware import HardwareInput
from server.packing import routes as packing_routes
from server.spine import Actor, Spine, Unit
from tests.fixtures.areas import TEST_HANDLERS, TestEvent
from tests.hardware.conftest import Server, wait_for

BRIDGES = 3
KILLS = int(os.environ.get("FAULT_KILLS", "3"))  # `make faults` kills more


@dataclass(frozen=True)
class RecordApplied:
    device_id: str
    seq: int
    data: dict[str, Any]


@TEST_HANDLERS.handles(RecordApplied)
def record_applied(cmd: RecordApplied, unit: Unit) -> None:
    unit.record(TestEvent("test.applied", f"device:{cmd.device_id}", {"seq": cmd.seq, **cmd.data}))


def apply_route(spine: Spine, event: DeviceEvent) -> None:
    """Stands in for the station's scan and weight routes: one event per applied input."""
    seq = int(event.event_id.rsplit(":", 1)[1])
    spine.execute(
        RecordApplied(event.device_id, seq, {"type": event.type, **event.data}),
        Actor("device", event.device_id),
        event.dedupe(),
    )


@pytest.fixture
def recorded_routes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stations, "scan_to_station", apply_route)
    monkeypatch.setattr(stations, "scan_error_to_station", apply_route)
    monkeypatch.setattr(packing_routes, "weight_to_station", apply_route)


def applied(device_id: str) -> list[dict[str, Any]]:
    with connection():
        rows = Event.select().where(
            Event.subject == f"device:{device_id}", Event.type == "test.applied"
        )
        return [row.data for row in rows.order_by(Event.position)]


@pytest.fixture
def bridges(tmp_path: Path, serial_pty: Callable[..., Any]) -> Iterator[Callable[..., Any]]:
    started: list[tuple[Bridge, SimulatedScale]] = []

    def start(url: str, site: str) -> list[tuple[Bridge, Any, SimulatedScale]]:
        out = []
        for n in range(1, BRIDGES + 1):
            scanner = serial_pty(f"scanner-{n}")
            scale = SimulatedScale(f"scale-{n}", tmp_path / f"scale-{n}", stream_interval=0.02)
            scale.start()
            config = BridgeConfig(
                bridge_id=f"edge-{n}",
                site=site,
                mqtt_url=url,
                spool_path=str(tmp_path / f"spool-{n}.db"),
                scanners=(ScannerConfig(f"scanner-{n}", scanner.path),),
                scales=(ScaleConfig(f"scale-{n}", scale.path, mode="continuous"),),
            )
            bridge = Bridge(config, reconnect=(0.1, 0.5))
            bridge.start()
            started.append((bridge, scale))
            out.append((bridge, scanner, scale))
        return out

    yield start
    for bridge, scale in started:
        bridge.stop()
        scale.stop()


@pytest.mark.parametrize("autosave", [1800, 1], ids=["default-autosave", "autosave-1s"])
def test_broker_killed_several_times_mid_stream_every_event_applied_once_in_order(
    autosave: int,
    hw_settings: Callable[..., Any],
    hw_site: str,
    server_factory: Callable[..., Server],
    mosquitto_factory: Callable[..., Any],
    bridges: Callable[..., Any],
    recorded_routes: None,
    admin_key_for: Callable[..., Any],
) -> None:
    broker = mosquitto_factory(autosave=autosave)
    server = server_factory(hw_settings(mqtt_url=broker.url))
    wait_for(lambda: server.connected, 15, "the server on the broker")
    time.sleep(1.5)  # autosave-1s: the broker has saved the server's session
    fleet = bridges(broker.url, hw_site)
    wait_for(
        lambda: all(b.client.is_connected and b.scanners[0].status == "online" for b, _, _ in fleet)
    )

    stop = threading.Event()
    scans = [0]

    def stream() -> None:
        i = 0
        while not stop.is_set():
            for n, (_, scanner, scale) in enumerate(fleet, 1):
                scanner.write(f"TOTE-{n}-{i:05d}\r".encode())
                if i % 3 == 0:
                    scale.set_weight(100.0 + i)  # rising: the weights' order shows
            i += 1
            scans[0] = i
            time.sleep(0.01)

    writer = threading.Thread(target=stream)
    writer.start()
    for _ in range(KILLS):  # in the middle of the stream
        time.sleep(0.7)
        broker.kill()
        time.sleep(0.3)
        broker.restart()
    time.sleep(0.7)
    stop.set()
    writer.join()
    time.sleep(0.5)  # the last readings reach the bridges' spools
    count = scans[0]

    def settled() -> bool:
        return all(bridge.spool.count() == 0 for bridge, _, _ in fleet)

    wait_for(settled, 90, "every spool confirmed by the server")
    for n, (bridge, _, _) in enumerate(fleet, 1):
        scans = applied(f"scanner-{n}")  # the route's commands, in commit order
        seqs = [s["seq"] for s in scans]
        assert seqs == list(range(1, bridge._seq[f"scanner-{n}"] + 1)), f"{seqs} {server.stats}"
        assert [s["raw"] for s in scans] == [f"TOTE-{n}-{i:05d}" for i in range(count)]
        weights = applied(f"scale-{n}")
        recorded = bridge._seq[f"scale-{n}"]  # what the bridge spooled for its scale
        assert recorded > 3
        assert [w["seq"] for w in weights] == list(range(1, recorded + 1))
        grams = [w["grams"] for w in weights]
        assert grams == sorted(set(grams)), f"scale-{n}: weights out of order or twice"
    with connection():
        taken = HardwareInput.select().count()
    assert taken >= BRIDGES * count

    def spool_shown() -> bool:  # the devices list shows each bridge's spool, empty again
        listed = {d["id"]: d for d in admin_key_for(server)["data"]}
        return all(
            (listed.get(f"edge-{n}", {}).get("state") or {}).get("spool")
            == {"events": 0, "capacity": 1_000_000, "full": False}
            for n in range(1, BRIDGES + 1)
        )

    wait_for(spool_shown, 15, "the bridges' spools in the devices list")
