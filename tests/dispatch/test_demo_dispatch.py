"""`make demo` lets a newcomer dispatch what they packed: the real `floorlink demo` as its own
process, an order picked on the demo's handheld and packed at PACK-01 (as
tests/packing/test_demo_pack.py does), then Dan the dispatcher (D-1004 / 4444) on the same
handheld opens a manifest at DOCK-3 for the package's carrier, loads it by its SSCC and
closes it with a keyed seal; the order is dispatched and its manifest's PDF is served."""

from __future__ import annotations

import pytest

from tests.packing.test_demo_pack import Demo, demo, pack, pick_everything  # noqa: F401
from tests.picking.live import FLOOR, Http, Picker

pytestmark = pytest.mark.slow


def dan_on(picker: Picker, base: str) -> Picker:
    """Pia logs out of the handheld; Dan logs in on it."""
    http = picker.http
    assert http.delete(f"{base}{FLOOR}/sessions/{picker.session_id}", timeout=10).ok
    del http.headers["Authorization"]
    r = http.post(f"{base}{FLOOR}/sessions", json={"badge": "D-1004", "pin": "4444"}, timeout=10)
    assert r.status_code == 201, r.text
    http.headers["Authorization"] = f"Bearer {r.json()['token']}"
    return Picker(base, http, r.json()["session_id"], r.json()["screen"])


def test_a_newcomer_dispatches_what_was_packed_at_the_demo_station(demo: Demo) -> None:  # noqa: F811
    assert "Manifests open: DHL at DOCK-1" in "".join(demo.out)
    oms = Http(demo.base, demo.printed(r"OMS API key:\s+(\S+)"))
    handheld = demo.login("HANDHELD-1", "P-1001", "1111")
    totes = pick_everything(handheld)
    order = min(totes, key=lambda o: sum(x["qty"] for x in oms.get(f"/orders/{o}").json["lines"]))
    packer = demo.login("STATION-PACK-01", "K-1002", "2222")
    packer.send(action="pack")
    weighed = pack(demo, packer, oms, order, totes[order])
    sscc = weighed["target"]["sscc"]
    packer.send(scan=f"00{sscc}")
    assert packer.screen["name"] == "pack.done", packer.screen
    carrier = oms.get(f"/packages/{sscc}").json["carrier"]

    dan = dan_on(handheld, demo.base)
    assert "dispatch" in [a["id"] for a in dan.screen["actions"]], dan.screen
    dan.send(action="dispatch")
    screen = dan.send(scan="DOCK-3")
    assert screen["name"] == "dispatch.choose_carrier", screen
    chosen = next(a for a in screen["actions"] if a["label"].startswith(carrier))
    assert dan.send(action=chosen["id"])["name"] == "dispatch.confirm_dock"
    screen = dan.send(scan="DOCK-3")
    assert screen["name"] == "dispatch.load" and screen["target"]["door"]["status"] == "none"
    manifest = screen["target"]["manifest"]
    screen = dan.send(scan=f"00{sscc}")
    assert screen["feedback"]["level"] == "ok", screen
    assert dan.send(action="close")["name"] == "dispatch.seal", dan.screen
    assert dan.send(action="key_seal", value=20401)["name"] == "dispatch.closed", dan.screen
    assert oms.get(f"/orders/{order}").json["status"] == "dispatched"
    pdf = oms.http.get(f"{oms.base}/manifests/{manifest}.pdf", timeout=10)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
