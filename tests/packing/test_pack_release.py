"""A packer leaves mid-pack: a supervisor hands the job back, the packer's screen goes back
to "scan a tote", and the next packer who scans the tote takes the job over where it
stood (the unit already verified stays verified)."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from tests.fixtures.app import Api
from tests.floor.conftest import FLOOR, Kiosk, add_kiosk, add_operator
from tests.packing.test_pack_flow import current, events_of

MUG, PEN = "4006381333931", "96385074"


def second_packer(app: Flask, client: FlaskClient) -> Kiosk:
    """Petra the packer, at PACK-01 on another screen (K1's session there ends)."""
    add_operator(app, "K2", ("packer",))
    code = add_kiosk(app, "ST-PACK-01B", "station", "PACK-01")
    r = client.post(f"{FLOOR}/enroll", json={"code": code})
    kiosk = Kiosk(client, "ST-PACK-01B", r.json["device_token"])
    assert kiosk.login("K2").status_code == 201
    kiosk.send(action="pack")
    return kiosk


def test_a_job_handed_back_is_taken_over_where_it_stood(
    picked: Callable[..., str],
    packer: Kiosk,
    scale: Callable[..., None],
    admin_api: Api,
    app: Flask,
    client: FlaskClient,
) -> None:
    picked("WEB-1", MUG=2, PEN=1)
    packer.send(scan="T1")
    packer.send(action="take_box")
    packer.send(scan=MUG)

    released = admin_api.post("/packing/orders/WEB-1/release", {"reason": "K1 went home"})
    assert released.status_code == 200, released.json
    assert released.json == {"external_id": "WEB-1", "released_from": "K1", "station": "PACK-01"}
    again = admin_api.post("/packing/orders/WEB-1/release", {"reason": "twice"})
    assert again.status_code == 409 and again.content_type == "application/problem+json"
    assert current(packer)["name"] == "pack.scan_tote"  # K1's station lets go

    petra = second_packer(app, client)  # at the station K1 left
    petra.send(scan="T1")
    assert petra.screen["name"] == "pack.verify", petra.screen
    assert petra.screen["target"]["left"] == {"MUG": 1, "PEN": 1}  # K1's mug stays packed
    petra.send(scan=MUG)
    petra.send(scan=PEN)
    assert petra.screen["name"] == "pack.weigh", (petra.screen["feedback"], petra.screen["target"])
    scale(petra.screen["target"]["expected_g"] + 1.0)
    sscc = current(petra)["target"]["sscc"]
    petra.send(scan=f"00{sscc}")
    assert petra.screen["name"] == "pack.done", petra.screen
    types = [e["type"] for e in events_of("WEB-1", "order.pack")]
    assert types == ["order.packing", "order.pack_released", "order.packing", "order.packed"]
    packers = [e["packer"] for e in events_of("WEB-1", "order.pack")[:3]]
    assert packers == ["K1", "K1", "K2"]


def test_only_an_order_being_packed_can_be_released(
    picked: Callable[..., str], packer: Kiosk, admin_api: Api, site: Api
) -> None:
    picked("WEB-1", MUG=1)
    r = admin_api.post("/packing/orders/WEB-1/release", {"reason": "nobody has it"})
    assert r.status_code == 409 and "not being packed" in r.json["detail"]
    assert admin_api.post("/packing/orders/NOPE/release", {"reason": "x"}).status_code == 404
    assert admin_api.post("/packing/orders/WEB-1/release", {}).status_code == 422
    assert site.post("/packing/orders/WEB-1/release", {"reason": "x"}).status_code == 403
