"""Packing end to end through the real server (issue 11): an order posted over HTTP, picked
by a picker over the floor HTTP API, and packed at station PACK-01, whose scanner (a
pseudo-terminal) and MT-SICS scale (a simulator on a pseudo-terminal) are read by a
`floorlink bridge` process publishing over a real Mosquitto; the label's ZPL received by
a virtual printer on loopback and read back with zplkit and zxing-cpp; the signed
webhooks received in order by a loopback receiver. Then the weight mismatch and the
supervisor's override at the station."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from standardwebhooks.webhooks import Webhook

from devices.pseudo_terminal import PseudoTerminal
from devices.simulated import SimulatedScale
from devices.virtual_printer import VirtualPrinter
from server.app import create_app
from server.areas import load_settings
from server.db import database as db_proxy
from tests.fixtures.areas import WITH_TESTS
from tests.fixtures.mosquitto import MosquittoBroker, mosquitto, mosquitto_session  # noqa: F401
from tests.fixtures.serialpty import PtyFactory, serial_pty  # noqa: F401
from tests.floor.conftest import add_kiosk, add_operator
from tests.hardware.conftest import wait_for
from tests.packing.conftest import BOXES, PREFIX
from tests.packing.labels_sample import decode, render_zpl_images, zpl_fields
from tests.picking import live
from tests.picking.live import FLOOR, Http, LiveFloor, Picker
from tests.sync.receiver import Receiver

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
SCANNER, SCALE, PRINTER = "scanner-pack-01", "scale-pack-01", "printer-pack-01"
SHIP_TO = {"name": "Jane Doe", "line1": "5 Elm St", "city": "Hamburg", "postal_code": "20095",
           "country": "DE"}  # fmt: skip
SHIP_FROM = {"name": "Floorlink DC", "lines": ["1 Dock Rd"], "postcode": "10115",
             "city": "Berlin", "country": "DE"}  # fmt: skip
CARRIER_RULES = [
    {"id": "small", "carrier": "DHL", "service": "Paket", "max_weight_g": 2000},
    {"id": "any", "carrier": "UPS", "service": "Standard"},
]


class BridgeProcess:
    """`floorlink bridge --config edge.toml` as its own process, its log collected."""

    def __init__(self, config: Path) -> None:
        floorlink = Path(sys.executable).with_name("floorlink")
        command = [str(floorlink)] if floorlink.exists() else [
            sys.executable, "-c", "from server.cli import main; main()",
        ]  # fmt: skip
        self.process = subprocess.Popen(
            [*command, "bridge", "--config", str(config)],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.log: list[str] = []
        self._reader = threading.Thread(target=self._collect, daemon=True)
        self._reader.start()

    def _collect(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.log.append(line)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
        self._reader.join(5)
        assert self.process.stderr is not None
        self.process.stderr.close()


@dataclass
class Station:
    """PACK-01 and everything around it, all running."""

    floor: LiveFloor
    scanner: PseudoTerminal
    scale: SimulatedScale
    printer: VirtualPrinter
    bridge: BridgeProcess
    admin: Http

    def devices(self) -> dict[str, dict[str, Any]]:
        return {d["id"]: d for d in self.admin.get("/devices").json["data"]}

    def login(self, badge: str, roles: tuple[str, ...], kind: str, at: str | None) -> Picker:
        """An operator logged in on a kiosk enrolled over the floor HTTP API."""
        add_operator(self.floor.app, badge, roles, "1234")
        code = add_kiosk(self.floor.app, f"{kind[:2].upper()}-{badge}", kind, at)
        http = requests.Session()
        base = self.floor.base
        r = http.post(f"{base}{FLOOR}/enroll", json={"code": code}, timeout=10)
        assert r.status_code == 201, r.text
        http.headers["X-Device-Token"] = r.json()["device_token"]
        r = http.post(f"{base}{FLOOR}/sessions", json={"badge": badge, "pin": "1234"}, timeout=10)
        assert r.status_code == 201, r.text
        http.headers["Authorization"] = f"Bearer {r.json()['token']}"
        return Picker(base, http, r.json()["session_id"], r.json()["screen"])

    def pick(self, external_id: str, **lines: int) -> None:
        """The order posted by the OMS, then picked into a tote and dropped at PACK-01."""
        body = {
            "external_id": external_id,
            "channel": "web",
            "ship_by": "2030-01-01T12:00:00Z",
            "ship_to": SHIP_TO,
            "lines": [{"line_id": str(i), "sku": sku, "qty": qty}
                      for i, (sku, qty) in enumerate(lines.items(), 1)],
        }  # fmt: skip
        r = self.floor.oms.post("/orders", body, headers={"Idempotency-Key": external_id})
        assert r.status_code == 201, r.json
        picker = self.login(f"P-{external_id}", ("picker",), "handheld", None)
        picker.send(action="pick")
        while (code := picker.next_scan(picker.screen)) is not None:
            screen = picker.send(scan=code)
            assert (screen.get("feedback") or {}).get("level") != "error", screen
        assert picker.screen["name"] == "pick.done", picker.screen
        picker.close()


def scan(
    station: Station, packer: Picker, code: str, until: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    """A scan on the station's scanner; the screen the server pushes because of it."""
    station.scanner.write(code.encode() + b"\r")
    return pushed(packer, until)


def pushed(
    packer: Picker, until: Callable[[dict[str, Any]], bool], error: bool = False
) -> dict[str, Any]:
    """The first screen pushed to the packer's kiosk that `until` accepts (with error
    feedback only when `error`)."""
    while True:
        screen = packer.wait_push(timeout=15)
        if until(screen):
            level = (screen.get("feedback") or {}).get("level")
            assert (level == "error") == error, screen
            return screen


def named(name: str) -> Callable[[dict[str, Any]], bool]:
    return lambda screen: screen["name"] == name


def units_left(count: int) -> Callable[[dict[str, Any]], bool]:
    return lambda screen: sum(screen["target"].get("left", {}).values()) == count


def order_webhooks(floor: LiveFloor, external_id: str) -> list[dict[str, Any]]:
    """The order's webhooks as received, each signature verified; in seq order."""
    events = []
    for received in floor.receiver.accepted:
        assert received.valid, received.headers
        if received.event.get("subject") == f"order:{external_id}":
            events.append(received.event)
    seqs = [e["seq"] for e in events]
    assert seqs == list(range(1, len(seqs) + 1)), seqs  # received in order, none missing
    return events


def delivered(floor: LiveFloor, external_id: str, type_: str) -> None:
    wait_for(
        lambda: any(
            r.event.get("type") == type_ and r.event.get("subject") == f"order:{external_id}"
            for r in floor.receiver.accepted
        ),
        timeout=20,
        what=f"{type_} of {external_id} delivered",
    )


def edge_toml(
    path: Path, bridge_id: str, site: str, mqtt_url: str, scanner: str, scale: str
) -> Path:
    path.write_text(
        f'bridge_id = "{bridge_id}"\nsite = "{site}"\nmqtt_url = "{mqtt_url}"\n'
        f'spool_path = "{path.parent / "spool.db"}"\n\n'
        f'[[scanners]]\nid = "{SCANNER}"\nport = "{scanner}"\nterminator = "CR"\n\n'
        f'[[scales]]\nid = "{SCALE}"\nport = "{scale}"\nmode = "continuous"\n'
    )
    return path


@pytest.fixture
def station(
    db_url: str,
    tmp_path: Path,
    mosquitto: MosquittoBroker,  # noqa: F811
    serial_pty: PtyFactory,  # noqa: F811
) -> Iterator[Station]:
    site, bridge_id = f"e2e-{uuid.uuid4().hex[:8]}", f"edge-{uuid.uuid4().hex[:6]}"
    scanner = serial_pty(SCANNER)
    scale = SimulatedScale(SCALE, tmp_path / "dev" / "serial" / "by-id" / "usb-Mettler-if00")
    scale.start()
    printer = VirtualPrinter().start()
    host, port = printer.address
    settings = load_settings(
        env={},
        database_url=db_url,
        secret_key="test-secret-key",
        site=site,
        mqtt_url=mosquitto.url,
        mqtt={"enabled": True, "client_id": f"floorlink-{site}", "stale_after_s": 60},
        relay={"enabled": True, "poll_interval_s": 0.2},
        packing={"gs1_company_prefix": PREFIX, "ship_from": SHIP_FROM,
                 "carrier_rules": CARRIER_RULES, "print_timeout_s": 2.0},
        devices=[
            {"id": SCANNER, "kind": "scanner", "station": "PACK-01", "bridge": bridge_id},
            {"id": SCALE, "kind": "scale", "station": "PACK-01", "bridge": bridge_id},
            {"id": PRINTER, "kind": "printer", "station": "PACK-01",
             "address": f"{host}:{port}"},
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
            assert floor.oms.put("/boxes", {"boxes": BOXES}).status_code == 200
            config = tmp_path / "edge" / "edge.toml"
            config.parent.mkdir()
            edge_toml(config, bridge_id, site, mosquitto.url, scanner.path, scale.path)
            bridge = BridgeProcess(config)
            here = Station(
                floor, scanner, scale, printer, bridge, Http(base, live.new_key("admin"))
            )

            def ready() -> bool:
                devices = here.devices()
                return all(devices[d]["availability"] == "online" for d in (SCANNER, SCALE)) and (
                    devices[SCALE]["state"] == {"grams": 0.0, "stable": True}
                )

            try:
                wait_for(ready, timeout=20, what="the bridge's scanner and scale online")
            except AssertionError:
                raise AssertionError("".join(bridge.log[-30:])) from None
            yield here
    finally:
        if bridge is not None:
            bridge.stop()
        app.extensions["floorlink"].stop()
        receiver.stop()
        printer.close()
        scale.stop()
        db_proxy.obj.close_all()


def packer_at_the_station(station: Station, badge: str = "K1") -> Picker:
    packer = station.login(badge, ("packer",), "station", "PACK-01")
    packer.connect_socket()
    packer.send(action="pack")
    assert packer.screen["name"] == "pack.scan_tote", packer.screen
    assert packer.screen["feedback"] is None, packer.screen  # scale and printer are fine
    return packer


def verify_to_the_scale(station: Station, packer: Picker, tote: str, units: list[str]) -> int:
    """Tote, the suggested box, every unit scanned in: the expected weight on pack.weigh."""
    scan(station, packer, tote, named("pack.box"))
    packer.send(action="take_box")
    assert packer.screen["name"] == "pack.verify", packer.screen
    for n, code in enumerate(units, 1):
        last = n == len(units)
        scan(station, packer, code, named("pack.weigh") if last else units_left(len(units) - n))
    assert packer.screen["target"]["scale"] == {"status": "stable", "grams": 0.0}
    return int(packer.screen["target"]["expected_g"])


def the_label(station: Station, sscc: str, count: int = 1) -> list[str]:
    """The label the printer received, rendered by zplkit and decoded by zxing-cpp."""
    labels = station.printer.wait_for_labels(count, timeout=15)
    zpl = labels[-1].data
    [image] = render_zpl_images(zpl)
    assert decode(image) == [("]C1", f"(00){sscc}")]
    return zpl_fields(zpl)


def test_an_order_posted_picked_and_packed_at_the_station(station: Station) -> None:
    floor = station.floor
    station.pick("WEB-1", MUG=2, PEN=1)
    packer = packer_at_the_station(station)
    assert floor.oms.get("/orders/WEB-1").json["status"] == "picked"

    expected = verify_to_the_scale(station, packer, "T1", ["4006381333931"] * 2 + ["96385074"])
    assert expected == 2 * 350 + 10 + 180  # two mugs, a pen and box M's tare
    station.scale.set_weight(expected + 60, stable=False)  # put down: still moving
    station.scale.set_weight(expected + 6)  # settled
    label = pushed(packer, named("pack.label"))
    sscc = label["target"]["sscc"]
    assert sscc.startswith("0" + PREFIX) and len(sscc) == 18
    fields = the_label(station, sscc)
    for text in ("Jane Doe", "Floorlink DC", "DHL", "Paket", "WEB-1", "1 of 1"):
        assert any(text in field for field in fields), (text, fields)
    done = scan(station, packer, f"]C100{sscc}", named("pack.done"))  # the label on the box
    assert done["target"]["order"] == "WEB-1"

    delivered(floor, "WEB-1", "order.packed")
    hooks = order_webhooks(floor, "WEB-1")
    types = [e["type"] for e in hooks]
    assert types == [
        "order.accepted", "order.picked",
        "order.packing", "package.opened", *["package.units_verified"] * 3,
        "package.weighed", "package.labelled", "package.label_confirmed", "order.packed",
    ], types  # fmt: skip
    packed = hooks[-1]["data"]
    (package,) = packed["packages"]
    assert package["sscc"] == sscc and package["box"] == "M"
    assert (package["weight_g"], package["expected_weight_g"]) == (expected + 6, expected)
    assert (package["carrier"], package["service"]) == ("DHL", "Paket")
    assert {(line["sku"], line["qty"]) for line in package["lines"]} == {("MUG", 2), ("PEN", 1)}
    [raw] = [r for r in floor.receiver.accepted if r.event.get("type") == "order.packed"]
    Webhook(floor.receiver.secrets[0]).verify(raw.body, raw.headers)  # raises if not signed
    weighed = next(e for e in hooks if e["type"] == "package.weighed")["data"]
    assert (weighed["source"], weighed["device"], weighed["within"]) == ("scale", SCALE, True)
    assert floor.oms.get("/orders/WEB-1").json["status"] == "packed"
    assert floor.oms.get(f"/packages/{sscc}").json["order"] == "WEB-1"
    assert station.devices()[PRINTER]["availability"] == "online"
    packer.close()


def test_a_weight_mismatch_is_blocked_until_a_supervisor_approves_at_the_station(
    station: Station,
) -> None:
    floor = station.floor
    add_operator(floor.app, "S1", ("supervisor",), "4321")
    station.pick("WEB-2", MUG=1)
    packer = packer_at_the_station(station)
    expected = verify_to_the_scale(station, packer, "T1", ["4006381333931"])
    assert expected == 350 + 180
    station.scale.set_weight(900.0)  # something else is in the box
    mismatch = pushed(packer, named("pack.weight_mismatch"), error=True)
    assert mismatch["feedback"]["message"] == (
        "Label blocked: 370 g too heavy (expected 530 g ± 20 g)"
    )
    assert "measured 900 g, expected 530 g" in mismatch["prompt"], mismatch
    assert station.printer.labels == []  # the label is blocked
    packer.send(action="override")
    assert packer.screen["name"] == "pack.override_badge", packer.screen
    scan(station, packer, "S1", named("pack.override_pin"))  # the supervisor's badge
    packer.send(action="pin", value="4321")
    assert packer.screen["name"] == "pack.override_reason", packer.screen
    packer.send(action="reason_packaging")
    assert packer.screen["name"] == "pack.label", packer.screen
    sscc = packer.screen["target"]["sscc"]
    the_label(station, sscc)
    scan(station, packer, f"00{sscc}", named("pack.done"))

    delivered(floor, "WEB-2", "order.packed")
    hooks = order_webhooks(floor, "WEB-2")
    types = [e["type"] for e in hooks]
    assert types == [
        "order.accepted", "order.picked",
        "order.packing", "package.opened", "package.units_verified",
        "package.weighed", "package.weight_overridden",
        "package.labelled", "package.label_confirmed", "order.packed",
    ], types  # fmt: skip
    weighed = next(e for e in hooks if e["type"] == "package.weighed")["data"]
    assert (weighed["weight_g"], weighed["within"]) == (900, False)
    overridden = next(e for e in hooks if e["type"] == "package.weight_overridden")
    assert overridden["data"]["supervisor"] == "S1" and overridden["actor"] == "operator:K1"
    (package,) = hooks[-1]["data"]["packages"]
    assert (package["weight_g"], package["expected_weight_g"]) == (900, expected)
    wait_for(
        lambda: (
            {"exception.raised", "exception.resolved"}
            <= {r.event.get("type") for r in floor.receiver.accepted}
        ),
        timeout=20,
        what="the supervisor exception raised and resolved",
    )
    raised = [r.event for r in floor.receiver.accepted if r.event["type"] == "exception.raised"]
    assert raised[0]["data"]["kind"] == "weight_mismatch", raised
    packer.close()


def test_a_scale_whose_bridge_dies_mid_weigh_shows_offline_at_once(station: Station) -> None:
    """The bridge killed (its last will tells the broker): the weigh screen is pushed with
    the scale offline, and nothing is weighed from the reading left behind."""
    station.pick("WEB-3", MUG=1)
    packer = packer_at_the_station(station)
    verify_to_the_scale(station, packer, "T1", ["4006381333931"])
    station.bridge.process.kill()
    offline = pushed(packer, lambda s: s["target"].get("scale", {}).get("status") == "offline")
    assert offline["name"] == "pack.weigh", offline
    packer.send(action="weigh")  # a tap on the screen cannot weigh without a scale
    assert packer.screen["name"] == "pack.weigh", packer.screen


def test_the_weigh_screen_shows_the_pan_settling_live(station: Station) -> None:
    """Between stable weights (events) the scale streams its state: the weigh screen is
    pushed with the live reading, and only the stable one counts."""
    station.pick("WEB-4", MUG=1)
    packer = packer_at_the_station(station)
    expected = verify_to_the_scale(station, packer, "T1", ["4006381333931"])
    station.scale.set_weight(expected - 120.0, stable=False)  # still settling
    live = pushed(packer, lambda s: s["target"].get("scale", {}).get("status") == "live")
    assert live["name"] == "pack.weigh", live
    assert live["target"]["scale"]["grams"] == expected - 120.0
    station.scale.set_weight(float(expected), stable=True)
    pushed(packer, named("pack.label"))
