"""`floorlink demo` lets a newcomer pack an order at PACK-01 and see its label: the real
command as its own process, an order picked on the demo's handheld and packed at the demo's
station kiosk over the floor HTTP API; the demo's scale weighs the package the weigh screen
asks for, its virtual printer keeps the label, and `floorlink demo scale +400` makes the
next package too heavy."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from server.demo import site
from tests.fixtures.mosquitto import free_port
from tests.hardware.conftest import wait_for
from tests.packing.labels_sample import decode, render_zpl_images
from tests.picking.live import FLOOR, Http, Picker

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
BARCODES = {p["sku"]: p["barcodes"][0] for p in site.products()}


def floorlink(*args: str) -> list[str]:
    script = Path(sys.executable).with_name("floorlink")
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-c", "from server.cli import main; main()", *args]


@dataclass
class Demo:
    process: subprocess.Popen[str]
    db: Path
    base: str
    out: list[str] = field(default_factory=list)

    def printed(self, pattern: str) -> str:
        for line in self.out:
            if found := re.search(pattern, line):
                return found.group(1)
        raise AssertionError(f"{pattern!r} not printed:\n" + "".join(self.out))

    def login(self, kiosk: str, badge: str, pin: str) -> Picker:
        code = self.printed(rf"{kiosk} \(.*\): (\S+)")
        http = requests.Session()
        r = http.post(f"{self.base}{FLOOR}/enroll", json={"code": code}, timeout=10)
        assert r.status_code == 201, r.text
        http.headers["X-Device-Token"] = r.json()["device_token"]
        r = http.post(f"{self.base}{FLOOR}/sessions", json={"badge": badge, "pin": pin}, timeout=10)
        assert r.status_code == 201, r.text
        http.headers["Authorization"] = f"Bearer {r.json()['token']}"
        return Picker(self.base, http, r.json()["session_id"], r.json()["screen"])


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLOORLINK_")}
    process = subprocess.Popen(
        # without the simulated floor: its pickers would take the seeded orders Pia picks
        floorlink(
            "demo", "--db", str(tmp_path / "demo.db"), "--port", str(port), "--no-simulation"
        ),
        cwd=ROOT,
        env={**env, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    running = Demo(process, tmp_path / "demo.db", f"http://127.0.0.1:{port}")
    reader = threading.Thread(target=lambda: running.out.extend(process.stdout or []), daemon=True)
    reader.start()

    def serving() -> bool:
        assert process.poll() is None, "".join(running.out)
        try:
            return requests.get(f"{running.base}/api/floor/v1/openapi.json", timeout=5).ok
        except requests.RequestException:  # not listening yet, or the worker still starting
            return False

    try:
        wait_for(serving, timeout=40, what="the demo serving")
        yield running
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        reader.join(5)
        if process.stdout is not None:
            process.stdout.close()


def unit_label(item: dict[str, Any]) -> str:
    """What a unit's label says: its GTIN, and its lot as a GS1 string when it has one."""
    gtin = BARCODES[item["sku"]]
    if not item.get("lot"):
        return gtin
    expiry = f"(17){item['expiry'][2:10].replace('-', '')}" if item.get("expiry") else ""
    return f"(01)0{gtin}{expiry}(10){item['lot']}"


def pick_everything(picker: Picker) -> dict[str, str]:
    """Pia picks her batch of the demo's orders and drops the totes at PACK-01."""
    picker.send(action="pick")
    totes: dict[str, str] = {}
    free = [f"TOTE-{n:04d}" for n in range(1, 51)]
    while True:
        screen, target = picker.screen, picker.screen["target"]
        name = screen["name"]
        if name == "pick.scan_tote":
            code = totes.setdefault(target["order"], free.pop(0))
        elif name in ("pick.scan_location", "pick.put_back"):
            code = target["location"]
        elif name in ("pick.scan_product", "pick.quantity"):
            code = unit_label(target)
        elif name == "pick.scan_tote_put":
            code = target["tote"]
        elif name == "pick.scan_drop":
            code = "PACK-01"
        else:
            assert name == "pick.done", screen
            return totes
        picker.send(scan=code)
        assert (picker.screen.get("feedback") or {}).get("level") != "error", picker.screen


def until(packer: Picker, name: str, timeout: float = 15.0) -> dict[str, Any]:
    """The screen once the station's session shows `name` (the scale changes it by itself)."""
    return dict(wait_for(lambda: packer.current()["name"] == name and packer.screen, timeout,
                         f"the station showing {name}"))  # fmt: skip


def pack(demo: Demo, packer: Picker, oms: Http, order: str, tote: str) -> dict[str, Any]:
    """Tote, box, every unit: the screen after the scale weighed the package."""
    packer.send(scan=tote)
    assert packer.screen["name"] == "pack.box", packer.screen
    packer.send(action="take_box")
    assert packer.screen["name"] == "pack.verify", packer.screen
    for line in oms.get(f"/orders/{order}").json["lines"]:
        for _ in range(line["qty"]):
            packer.send(scan=BARCODES[line["sku"]])
            assert (packer.screen.get("feedback") or {}).get("level") != "error", packer.screen
    assert packer.screen["name"] == "pack.weigh", packer.screen
    expected = packer.screen["target"]["expected_g"]
    screen = wait_for(
        lambda: packer.current()["name"] != "pack.weigh" and packer.screen,
        15,
        "the demo scale's weight counted",
    )
    return {"expected_g": expected, **screen}


def test_a_newcomer_packs_a_demo_order_and_sees_its_label(demo: Demo) -> None:
    assert "a simulated MT-SICS scale on" in "".join(demo.out)
    oms = Http(demo.base, demo.printed(r"OMS API key:\s+(\S+)"))
    admin = Http(demo.base, demo.printed(r"Admin key:\s+(\S+)"))
    devices = {d["id"]: d for d in admin.get("/devices").json["data"]}
    assert devices["scale-pack-01"]["source"] == "serial"
    assert devices["scale-pack-01"]["availability"] == "online"
    assert devices["printer-pack-01"]["station"] == "PACK-01"

    totes = pick_everything(demo.login("HANDHELD-1", "P-1001", "1111"))
    small = sorted(
        totes, key=lambda o: sum(x["qty"] for x in oms.get(f"/orders/{o}").json["lines"])
    )
    packer = demo.login("STATION-PACK-01", "K-1002", "2222")
    packer.send(action="pack")
    assert packer.screen["name"] == "pack.scan_tote", packer.screen
    assert packer.screen["feedback"] is None, packer.screen  # the station has what it needs

    weighed = pack(demo, packer, oms, small[0], totes[small[0]])
    assert weighed["name"] == "pack.label", weighed
    sscc = weighed["target"]["sscc"]
    assert sscc.startswith("00614141")
    label = demo.db.parent / "demo-labels" / f"{sscc}.zpl"
    wait_for(label.exists, 15, "the label kept by the demo printer")
    [image] = render_zpl_images(label.read_bytes())
    assert decode(image) == [("]C1", f"(00){sscc}")]
    wait_for(lambda: any(f"label {sscc} printed" in line for line in demo.out), 5)
    packer.send(scan=f"00{sscc}")
    assert packer.screen["name"] == "pack.done", packer.screen
    (package,) = oms.get(f"/orders/{small[0]}").json["packages"]
    assert package["weight_g"] == package["expected_weight_g"] + 3  # the demo's hand

    knob = subprocess.run(
        floorlink("demo", "scale", "+400", "--db", str(demo.db)),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert knob.returncode == 0, knob.stderr
    assert "the expected weight +400 g" in knob.stdout
    packer.send(action="next")
    mismatch = pack(demo, packer, oms, small[1], totes[small[1]])
    assert mismatch["name"] == "pack.weight_mismatch", mismatch
    assert "400 g too heavy" in mismatch["prompt"], mismatch


@pytest.mark.parametrize(
    ("knob", "expected_g", "weighs"),
    [("auto", 530, 533.0), ("900", 530, 900.0), ("+400", 530, 930.0), ("-100", 530, 430.0),
     ("-900", 530, 0.0)],
)  # fmt: skip
def test_what_the_demo_scale_weighs(knob: str, expected_g: int, weighs: float) -> None:
    from server.demo.station import parse_weight, weight_for

    assert weight_for(parse_weight(knob), expected_g) == weighs


@pytest.mark.parametrize("knob", ["heavy", "", "1e3", "+", "9000000"])
def test_a_knob_the_demo_scale_does_not_take(knob: str) -> None:
    from server.demo.station import parse_weight

    with pytest.raises(ValueError, match="say auto"):
        parse_weight(knob)
