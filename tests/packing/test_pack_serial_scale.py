"""A pack whose weight comes from an MT-SICS scale on the server's own serial port (a
simulated scale on a real pseudo-terminal, `[[scales]]` at PACK-01), not from a bridge."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from devices.simulated import SimulatedScale
from devices.virtual_printer import VirtualPrinter
from server.areas import load_settings
from server.config import Settings
from server.db import database as db_proxy
from server.models import Event, ProcessedInput
from server.packing.stations import scale_reading
from tests.floor.conftest import Kiosk
from tests.hardware.conftest import wait_for
from tests.packing.conftest import PREFIX, PRINTER
from tests.packing.test_pack_flow import current, events_of, feedback

SCALE = "scale-serial-01"


@pytest.fixture
def sim_scale(tmp_path: Path) -> Iterator[SimulatedScale]:
    scale = SimulatedScale(SCALE, tmp_path / "by-id" / "usb-Mettler_Toledo-if00")
    scale.start()
    yield scale
    scale.stop()


@pytest.fixture
def settings(db_url: str, printer: VirtualPrinter, sim_scale: SimulatedScale) -> Settings:
    host, port = printer.address
    return load_settings(
        env={},
        database_url=db_url,
        secret_key="test-secret-key",
        relay={"enabled": False},
        mqtt={"enabled": False},
        packing={
            "gs1_company_prefix": PREFIX,
            "carrier_rules": [{"id": "any", "carrier": "UPS", "service": "Standard"}],
            "print_timeout_s": 1.0,
        },
        devices=[
            {"id": PRINTER, "kind": "printer", "station": "PACK-01", "address": f"{host}:{port}"}
        ],
        scales=[{"id": SCALE, "port": sim_scale.path, "station": "PACK-01",
                 "poll_interval": 0.05}],
    )  # fmt: skip


@pytest.fixture
def running(app: Flask) -> Iterator[Flask]:
    """The app's services started: the serial scale is read, labels are printed."""
    app.extensions["floorlink"].start()
    yield app


def test_the_weight_comes_from_the_servers_serial_scale(
    running: Flask,
    picked: Callable[..., str],
    packer: Kiosk,
    sim_scale: SimulatedScale,
    printer: VirtualPrinter,
) -> None:
    wait_for(lambda: scale_reading(SCALE)["status"] == "stable", what="the scale read")
    picked("WEB-1", MUG=1)
    packer.send(scan="T1")
    packer.send(action="take_box")
    packer.send(scan="4006381333931")
    assert packer.screen["name"] == "pack.weigh", packer.screen
    expected = packer.screen["target"]["expected_g"]
    assert packer.screen["target"]["scale"]["status"] == "stable"  # the empty pan
    sim_scale.set_weight(expected - 40, stable=False)  # still settling: not a weight
    wait_for(lambda: scale_reading(SCALE)["status"] == "live", what="the moving pan read")
    assert current(packer)["name"] == "pack.weigh"
    sim_scale.set_weight(expected - 4)  # settled
    wait_for(lambda: current(packer)["name"] == "pack.label", what="the weight counted")
    sscc = packer.screen["target"]["sscc"]
    labels = printer.wait_for_labels(1, timeout=10)
    assert sscc in labels[0].data.decode()
    packer.send(scan=f"00{sscc}")
    assert packer.screen["name"] == "pack.done", feedback(packer)

    (packed,) = events_of("WEB-1", "order.packed")
    (package,) = packed["packages"]
    assert package["weight_g"] == expected - 4 and package["expected_weight_g"] == expected
    with db_proxy.connection_context():
        weighed = Event.get(Event.type == "package.weighed").data
        taken = [
            row.key
            for row in ProcessedInput.select().where(ProcessedInput.key.contains(f":{SCALE}:"))
        ]
    assert weighed["source"] == "scale" and weighed["device"] == SCALE, weighed
    assert taken and all(f"serial:{SCALE}:" in key for key in taken), taken


def test_a_station_whose_serial_scale_does_not_answer_says_so(
    running: Flask, packer: Kiosk, sim_scale: SimulatedScale, app: Any
) -> None:
    wait_for(lambda: scale_reading(SCALE)["status"] == "stable", what="the scale read")
    packer.send(action="home")
    packer.send(action="pack")
    assert feedback(packer) == (None, None), packer.screen
    sim_scale.pty.unplug()
    wait_for(lambda: scale_reading(SCALE)["status"] == "offline", what="the scale lost")
    packer.send(action="home")
    packer.send(action="pack")  # the station says so before a pack starts
    level, message = feedback(packer)
    assert level == "warn" and f"The scale {SCALE} is offline" in (message or ""), packer.screen
