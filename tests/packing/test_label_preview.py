"""The station's label preview, GET /api/floor/v1/labels/{sscc}.png: the package's label as
the API's PNG (its barcode decodes to the SSCC), for the packer of the open pack and for
supervisors; nobody else learns whether an SSCC exists."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

from tests.floor.conftest import FLOOR, Kiosk, add_kiosk, add_operator
from tests.packing.labels_sample import decode


def _labelled(picked: Callable[..., str], packer: Kiosk, scale: Callable[..., None]) -> str:
    """WEB-1 packed up to its label: the SSCC on the screen."""
    picked("WEB-1", MUG=1)
    packer.send(scan="T1")
    packer.send(action="take_box")
    packer.send(scan="4006381333931")
    scale(531.0)
    r = packer.client.get(f"{FLOOR}/sessions/{packer.session_id}/screen", headers=packer.headers())
    screen = r.json["screen"]
    assert screen["name"] == "pack.label", screen
    assert screen["target"]["label"] == f"/api/floor/v1/labels/{screen['target']['sscc']}.png"
    return str(screen["target"]["sscc"])


def _kiosk(app: Flask, client: FlaskClient, device: str, badge: str, *roles: str) -> Kiosk:
    add_operator(app, badge, roles)
    r = client.post(f"{FLOOR}/enroll", json={"code": add_kiosk(app, device, "station", "PACK-02")})
    kiosk = Kiosk(client, device, r.json["device_token"])
    assert kiosk.login(badge).status_code == 201
    return kiosk


def _get(kiosk: Kiosk, sscc: str, headers: dict[str, str] | None = None) -> Any:
    return kiosk.client.get(f"{FLOOR}/labels/{sscc}.png", headers=headers or kiosk.headers())


def test_the_packer_sees_the_label_of_the_package_on_the_screen(
    picked: Callable[..., str], packer: Kiosk, scale: Callable[..., None]
) -> None:
    sscc = _labelled(picked, packer, scale)
    r = _get(packer, sscc)
    assert r.status_code == 200 and r.mimetype == "image/png"
    assert "no-store" in r.headers["Cache-Control"]
    image = Image.open(io.BytesIO(r.data))
    assert image.size == (812, 1218)
    assert decode(image.convert("L")) == [("]C1", f"(00){sscc}")]


def test_only_the_packer_of_the_pack_and_supervisors_see_a_label(
    app: Flask,
    client: FlaskClient,
    picked: Callable[..., str],
    packer: Kiosk,
    scale: Callable[..., None],
) -> None:
    sscc = _labelled(picked, packer, scale)
    other = _kiosk(app, client, "ST-PACK-02", "K2", "packer")
    assert _get(other, sscc).status_code == 404  # another packer: as if it did not exist
    assert _get(other, "006141410000009999").status_code == 404
    assert _get(packer, "006141410000009999").status_code == 404
    assert _get(packer, "not-an-sscc").status_code == 404
    picker = _kiosk(app, client, "ST-PICK-1", "P9", "picker")
    assert _get(picker, sscc).status_code == 403
    supervisor = _kiosk(app, client, "ST-SUP-1", "S9", "supervisor")
    assert _get(supervisor, sscc).status_code == 200
    # the session's token works only with the device it was opened on
    stolen = {"X-Device-Token": other.device_token, "Authorization": f"Bearer {packer.token}"}
    assert _get(packer, sscc, stolen).status_code == 401
    assert _get(packer, sscc, {"X-Device-Token": packer.device_token}).status_code == 401
