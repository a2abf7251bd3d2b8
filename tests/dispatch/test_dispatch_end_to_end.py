"""Dispatch end to end through the real server (issue 13): orders posted over HTTP, picked
over the floor HTTP API, packed at PACK-01 (its scanner a pseudo-terminal and its MT-SICS
scale a simulator, both read by a `floorlink bridge` process, the labels on a virtual
printer on loopback), then dispatched at DOCK-1: the dock's scanner is another
pseudo-terminal on the same bridge, and its door sensor publishes over the same real
Mosquitto. The door is closed when the dispatcher arrives and is opened by the test while
the dispatcher waits: the screen changes by itself. Every SSCC is scanned from the dock's
pseudo-terminal, the seal too; the signed webhooks arrive in order, `order.dispatched`
after `order.packed` for every order, and `manifest.closed` carries the whole manifest."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook

from devices.pseudo_terminal import PseudoTerminal
from devices.simulated import SimulatedScale
from devices.simulated_sensors import SimulatedSensorHub
from devices.virtual_printer import VirtualPrinter
from server.app import create_app
from server.areas import load_settings
from server.db import database as db_proxy
from tests.dispatch.conftest import DOCKS, DOOR
from tests.fixtures.areas import WITH_TESTS
from tests.fixtures.mosquitto import MosquittoBroker, mosquitto, mosquitto_session  # noqa: F401
from tests.fixtures.serialpty import PtyFactory, serial_pty  # noqa: F401
from tests.hardware.conftest import wait_for
from tests.packing.conftest import BOXES, PREFIX
from tests.packing.test_pack_end_to_end import (
    CARRIER_RULES,
    SHIP_FROM,
    BridgeProcess,
    Station,
    named,
    order_webhooks,
    pushed,
    scan,
    verify_to_the_scale,
)
from tests.picking import live
from tests.picking.live import Http, LiveFloor, Picker
from tests.sync.receiver import Receiver

pytestmark = pytest.mark.slow
SCANNER, DOCK_SCANNER, SCALE, PRINTER = (
    "scanner-pack-01", "scanner-dock-1", "scale-pack-01", "printer-pack-01"
)  # fmt: skip


@dataclass
class Site:
    """PACK-01 as packing's end-to-end test has it, and DOCK-1 with its scanner and door."""

    station: Station
    dock_scanner: PseudoTerminal
    sensors: SimulatedSensorHub

    @property
    def floor(self) -> LiveFloor:
        return self.station.floor


def edge_toml(path: Path, bridge_id: str, site: str, url: str, ports: dict[str, str]) -> Path:
    path.write_text(
        f'bridge_id = "{bridge_id}"\nsite = "{site}"\nmqtt_url = "{url}"\n'
        f'spool_path = "{path.parent / "spool.db"}"\n\n'
        f'[[scanners]]\nid = "{SCANNER}"\nport = "{ports[SCANNER]}"\nterminator = "CR"\n\n'
        f'[[scanners]]\nid = "{DOCK_SCANNER}"\nport = "{ports[DOCK_SCANNER]}"\n'
        'terminator = "CR"\n\n'
        f'[[scales]]\nid = "{SCALE}"\nport = "{ports[SCALE]}"\nmode = "continuous"\n'
    )
    return path


@pytest.fixture
def site(
    db_url: str,
    tmp_path: Path,
    mosquitto: MosquittoBroker,  # noqa: F811
    serial_pty: PtyFactory,  # noqa: F811
) -> Iterator[Site]:
    name, bridge_id = f"e2e-{uuid.uuid4().hex[:8]}", f"edge-{uuid.uuid4().hex[:6]}"
    scanner, dock_scanner = serial_pty(SCANNER), serial_pty(DOCK_SCANNER)
    scale = SimulatedScale(SCALE, tmp_path / "dev" / "serial" / "by-id" / "usb-Mettler-if00")
    scale.start()
    printer = VirtualPrinter().start()
    host, port = printer.address
    sensors = SimulatedSensorHub(mosquitto.url, name, "door-hub", doors=(DOOR,))
    settings = load_settings(
        env={},
        database_url=db_url,
        secret_key="test-secret-key",
        site=name,
        mqtt_url=mosquitto.url,
        mqtt={"enabled": True, "client_id": f"floorlink-{name}", "stale_after_s": 60},
        relay={"enabled": True, "poll_interval_s": 0.2},
        packing={"gs1_company_prefix": PREFIX, "ship_from": SHIP_FROM,
                 "carrier_rules": CARRIER_RULES, "print_timeout_s": 2.0},
        dispatch={"door_sweep_interval_s": 0.5},
        devices=[
            {"id": SCANNER, "kind": "scanner", "station": "PACK-01", "bridge": bridge_id},
            {"id": SCALE, "kind": "scale", "station": "PACK-01", "bridge": bridge_id},
            {"id": PRINTER, "kind": "printer", "station": "PACK-01",
             "address": f"{host}:{port}"},
            {"id": DOCK_SCANNER, "kind": "scanner", "station": "DOCK-1", "bridge": bridge_id},
            {"id": DOOR, "kind": "door", "location": "DOCK-1", "bridge": "door-hub"},
        ],
    )  # fmt: skip
    app = create_app(settings, areas=WITH_TESTS)
    receiver = Receiver().start()
    live.add_receiver(app, receiver)
    bridge: BridgeProcess | None = None
    try:
        with live.serve(app) as base:
            floor = LiveFloor(app, base, Http(base, live.new_key("oms")), receiver)
            floor.load_site()
            assert floor.oms.put("/locations", {"locations": DOCKS}).status_code == 200
            assert floor.oms.put("/boxes", {"boxes": BOXES}).status_code == 200
            config = tmp_path / "edge" / "edge.toml"
            config.parent.mkdir()
            ports = {SCANNER: scanner.path, DOCK_SCANNER: dock_scanner.path, SCALE: scale.path}
            edge_toml(config, bridge_id, name, mosquitto.url, {k: str(v) for k, v in ports.items()})
            bridge = BridgeProcess(config)
            sensors.start()
            station = Station(
                floor, scanner, scale, printer, bridge, Http(base, live.new_key("admin"))
            )

            def ready() -> bool:
                devices = station.devices()
                online = all(
                    devices.get(d, {}).get("availability") == "online"
                    for d in (SCANNER, DOCK_SCANNER, SCALE, DOOR)
                )
                return online and devices[DOOR]["state"] == {"open": False}

            try:
                wait_for(ready, timeout=20, what="the bridge's devices and the door online")
            except AssertionError:
                raise AssertionError("".join(bridge.log[-30:])) from None
            yield Site(station, dock_scanner, sensors)
    finally:
        sensors.stop()
        if bridge is not None:
            bridge.stop()
        app.extensions["floorlink"].stop()
        receiver.stop()
        printer.close()
        scale.stop()
        db_proxy.obj.close_all()


def pack(station: Station, packer: Picker, tote: str, units: list[str]) -> str:
    """A tote packed at PACK-01 over its scanner and scale: the SSCC on the box."""
    expected = verify_to_the_scale(station, packer, tote, units)
    station.scale.set_weight(expected + 4)
    label = pushed(packer, named("pack.label"))
    sscc = str(label["target"]["sscc"])
    station.printer.wait_for_labels(1, timeout=15)
    scan(station, packer, f"]C100{sscc}", named("pack.done"))
    packer.send(action="next")
    station.scale.set_weight(0.0)  # the package lifted off
    return sscc


def dock_scan(site: Site, dispatcher: Picker, code: str, until: str, error: bool = False) -> Any:
    """A scan on the dock's pseudo-terminal scanner; the screen pushed because of it."""
    site.dock_scanner.write(code.encode() + b"\r")
    return pushed(dispatcher, named(until), error=error)


def test_orders_packed_and_dispatched_at_a_dock_whose_door_opens_while_the_dispatcher_waits(
    site: Site,
) -> None:
    station, floor = site.station, site.floor
    packer = station.login("K1", ("packer",), "station", "PACK-01")
    packer.connect_socket()
    packer.send(action="pack")
    station.pick("WEB-1", MUG=1)  # each picked into T1, free again once packed
    ssccs = {"WEB-1": pack(station, packer, "T1", ["4006381333931"])}
    station.pick("WEB-2", PEN=2)
    ssccs["WEB-2"] = pack(station, packer, "T1", ["96385074"] * 2)
    packer.close()
    r = floor.oms.post("/manifests", {"carrier": "DHL", "service": "Paket", "dock": "DOCK-1",
                                      "trailer": "B-FL-2040"})  # fmt: skip
    assert r.status_code == 201, r.json
    manifest = r.json["id"]
    assert sorted(w["sscc"] for w in r.json["waiting"]) == sorted(ssccs.values())

    dispatcher = station.login("D-1004", ("dispatcher",), "station", "DOCK-1")
    dispatcher.connect_socket()
    dispatcher.send(action="dispatch")  # the station is the dock: its one open manifest
    dispatcher.pushed.get(timeout=10)  # the same screen, pushed to the socket too
    assert dispatcher.screen["name"] == "dispatch.door_closed", dispatcher.screen
    assert dispatcher.screen["target"]["door"]["status"] == "closed"
    refused = dock_scan(site, dispatcher, f"00{ssccs['WEB-1']}", "dispatch.door_closed", True)
    assert "door is closed" in refused["feedback"]["message"]
    site.sensors.door(DOOR, True)  # the door opens: pushed, no input
    opened = pushed(dispatcher, named("dispatch.load"))
    assert opened["target"]["door"]["status"] == "open"
    for n, (order, sscc) in enumerate(sorted(ssccs.items()), 1):
        site.dock_scanner.write(f"]C100{sscc}\r".encode())
        loaded = pushed(dispatcher, lambda s, n=n: s["progress"].get("loaded") == n)
        assert loaded["feedback"]["message"].startswith(f"Loaded {sscc}: order {order}")
    dispatcher.send(action="close")
    assert dispatcher.screen["name"] == "dispatch.seal", dispatcher.screen
    dispatcher.pushed.get(timeout=10)
    closed = dock_scan(site, dispatcher, "SEAL-2040-77", "dispatch.closed")
    assert "2 packages of 2 orders" in closed["prompt"], closed
    site.sensors.door(DOOR, False)

    def all_delivered() -> bool:
        types = [r.event.get("type") for r in floor.receiver.accepted]
        return types.count("order.dispatched") == 2 and "manifest.closed" in types

    wait_for(all_delivered, timeout=20, what="order.dispatched and manifest.closed delivered")
    for order, sscc in ssccs.items():
        hooks = order_webhooks(floor, order)  # signatures verified, in seq order
        types = [e["type"] for e in hooks]
        assert types.index("order.dispatched") > types.index("order.packed"), types
        assert types[-1] == "order.dispatched", types
        data = hooks[-1]["data"]
        assert (data["manifest"], data["dock"], data["carrier"], data["service"]) == (
            manifest, "DOCK-1", "DHL", "Paket"
        )  # fmt: skip
        assert (data["trailer"], data["seal"], data["status"]) == (
            "B-FL-2040", "SEAL-2040-77", "dispatched"
        )  # fmt: skip
        (package,) = data["packages"]
        assert package["sscc"] == sscc and package["weight_g"] > 0
        assert all(line["shipped"] == line["qty"] for line in data["lines"])
        assert hooks[-1]["actor"] == "operator:D-1004"
    [raw] = [r for r in floor.receiver.accepted if r.event.get("type") == "manifest.closed"]
    Webhook(floor.receiver.secrets[0]).verify(raw.body, raw.headers)  # raises if not signed
    whole = raw.event["data"]
    assert whole["totals"]["packages"] == 2 and sorted(whole["orders"]) == ["WEB-1", "WEB-2"]
    wait_for(lambda: station.devices()[DOOR]["state"] == {"open": False}, timeout=10,
             what="the door closed in the devices list")  # fmt: skip
    assert floor.oms.get("/orders/WEB-1").json["status"] == "dispatched"
    assert floor.oms.post("/orders/WEB-1/cancel", {"reason": "late"}).status_code == 409
    pdf = floor.oms.http.get(f"{floor.oms.base}/manifests/{manifest}.pdf", timeout=10)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    dispatcher.close()
