"""Packing on the real app: a picked order in a tote at PACK-01, a station kiosk there with
a scale and a (virtual) label printer, the box catalogue."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from devices.virtual_printer import VirtualPrinter
from server.areas import load_settings
from server.config import Settings
from server.db import database as db_proxy
from server.hardware.routes import DeviceEvent
from server.ids import new_id
from server.models import HardwareDevice, utcnow
from server.packing.routes import weight_to_station
from tests.fixtures.app import Api
from tests.floor.conftest import FLOOR, Kiosk, add_kiosk, add_operator
from tests.picking.conftest import DriveFlow as DriveFlow  # noqa: F401  (the test command)
from tests.picking.conftest import Picker, order, post_order

PREFIX = "0614141"
BOXES = [
    {"code": "S", "barcode": "BOX-S", "inner_dims_mm": [200, 150, 100], "tare_g": 90,
     "max_load_g": 5000},
    {"code": "M", "barcode": "BOX-M", "inner_dims_mm": [300, 250, 150], "tare_g": 180,
     "max_load_g": 10000},
    {"code": "L", "barcode": "BOX-L", "inner_dims_mm": [400, 300, 250], "tare_g": 300,
     "max_load_g": 20000},
]  # fmt: skip
SCALE = "scale-pack-01"
PRINTER = "printer-pack-01"


@pytest.fixture
def printer() -> Iterator[VirtualPrinter]:
    with VirtualPrinter() as virtual:
        yield virtual


@pytest.fixture
def packing_overrides() -> dict[str, Any]:
    return {}


@pytest.fixture
def settings(db_url: str, printer: VirtualPrinter, packing_overrides: dict[str, Any]) -> Settings:
    host, port = printer.address
    packing = {
        "gs1_company_prefix": PREFIX,
        "ship_from": {"name": "Floorlink DC", "lines": ["1 Dock Rd"], "postcode": "10115",
                      "city": "Berlin", "country": "DE"},
        "carrier_rules": [
            {"id": "small", "carrier": "DHL", "service": "Paket", "max_weight_g": 2000},
            {"id": "any", "carrier": "UPS", "service": "Standard"},
        ],
        "print_timeout_s": 1.0,
    } | packing_overrides  # fmt: skip
    return load_settings(
        env={},
        database_url=db_url,
        secret_key="test-secret-key",
        relay={"enabled": False},
        mqtt={"enabled": False},
        packing=packing,
        devices=[
            {"id": SCALE, "kind": "scale", "station": "PACK-01"},
            {"id": PRINTER, "kind": "printer", "station": "PACK-01", "address": f"{host}:{port}"},
        ],
    )


@pytest.fixture
def boxes(site: Api, admin_api: Api) -> None:
    response = site.put("/boxes", {"boxes": BOXES})
    assert response.status_code == 200, response.json


@pytest.fixture
def picked(app: Flask, site: Api, boxes: None) -> Callable[..., str]:
    """An order posted, picked into a tote and dropped at PACK-01: its external id."""
    runtime = app.extensions["floorlink"]
    site.put("/totes", {"totes": [{"code": f"T{i}"} for i in range(1, 7)]})
    picker = Picker(runtime, "P1")

    def pick(external_id: str, **lines: int) -> str:
        post_order(site, order(external_id, **lines) | {"ship_to": SHIP_TO})
        screen = picker.enter()
        while screen["name"] != "pick.done":
            scan = next_pick_scan(screen)
            screen = picker.scan(scan)
            assert picker.error is None, screen
        return external_id

    return pick


SHIP_TO = {"name": "Jane Doe", "line1": "5 Elm St", "city": "Hamburg", "postal_code": "20095",
           "country": "DE"}  # fmt: skip
BARCODES = {"MUG": "4006381333931", "TEA": "5901234123457", "PEN": "96385074"}


def next_pick_scan(screen: dict[str, Any]) -> str:
    name, target = screen["name"], screen["target"]
    if name == "pick.scan_tote":
        return FREE_TOTES.pop(0)
    if name == "pick.scan_location":
        return str(target["location"])
    if name in ("pick.scan_product", "pick.quantity"):
        return BARCODES[target["sku"]]
    if name == "pick.scan_tote_put":
        return str(target["tote"])
    if name == "pick.scan_drop":
        return "PACK-01"
    raise AssertionError(f"unexpected pick screen {screen}")


FREE_TOTES: list[str] = []


@pytest.fixture(autouse=True)
def _free_totes() -> None:
    FREE_TOTES[:] = [f"T{i}" for i in range(1, 7)]


@pytest.fixture
def packer(app: Flask, client: FlaskClient) -> Kiosk:
    """Karl the packer, logged in at the station kiosk of PACK-01, on the pack flow."""
    add_operator(app, "K1", ("packer",))
    code = add_kiosk(app, "ST-PACK-01", "station", "PACK-01")
    r = client.post(f"{FLOOR}/enroll", json={"code": code})
    kiosk = Kiosk(client, "ST-PACK-01", r.json["device_token"])
    assert kiosk.login("K1").status_code == 201
    kiosk.send(action="pack")
    return kiosk


@pytest.fixture
def scale(app: Flask) -> Callable[[float, bool], None]:
    """The station's scale: online in the registry, each reading routed as the ingest does."""
    spine = app.extensions["floorlink"].spine
    with db_proxy.connection_context():
        HardwareDevice.create(
            id=SCALE, kind="scale", availability="online", state={"grams": 0.0, "stable": True},
            state_at=utcnow(), last_seen=utcnow(),
        )  # fmt: skip
    seq = [0]

    def read(grams: float, stable: bool = True) -> None:
        seq[0] += 1
        with db_proxy.connection_context():
            HardwareDevice.update(state={"grams": grams, "stable": stable}).where(
                HardwareDevice.id == SCALE
            ).execute()
        event = DeviceEvent(SCALE, "weight", f"s1:{seq[0]}:{new_id('w')}", utcnow(), False,
                            {"grams": grams, "stable": stable}, "scale", "PACK-01")  # fmt: skip
        with app.app_context():
            weight_to_station(spine, event)

    return read
