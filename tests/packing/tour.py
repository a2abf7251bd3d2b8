"""Packing's part of the event tour (tests/sync/event_tour.py): boxes and rules set, orders
packed at station PACK-01 (two packages with a unit moved, a weight approved by a
supervisor), one short at pack, one cancelled after packing."""

from __future__ import annotations

import dataclasses
from typing import Any

from devices import mqtt_topics
from devices.payloads import decode_message, encode, new_session_id, status_payload
from server.floor.flow import FloorInput
from server.floor.inputs import ApplyInput
from server.floor.kiosks import AddKiosk, EnrollKiosk
from server.floor.sessions import Login
from server.hardware.batch import fold
from server.hardware.handlers import IngestDeviceBatch
from server.hardware.settings import DeviceSettings
from server.ids import new_id
from server.models import Order, Package, utcnow
from server.orders.handlers import CancelOrder
from server.packing.catalogue import ReplaceCarrierRules, UpsertBoxes
from server.packing.release import ReleasePackJob
from server.packing.tracking import SetTracking
from server.spine import Spine
from tests.examples.setup import LOCKOUT_ATTEMPTS, LOCKOUT_WINDOW_S, PIN, floor_input, operator
from tests.sync.conftest import TESTER, in_db

BOXES = [
    {"code": "M", "barcode": "BOX-M", "inner_dims_mm": [300, 250, 150], "tare_g": 180,
     "max_load_g": 10_000},
    {"code": "L", "barcode": "BOX-L", "inner_dims_mm": [400, 300, 250], "tare_g": 300,
     "max_load_g": 20_000},
]  # fmt: skip
SCALE = "scale-pack-01"


def _with_packing(spine: Spine) -> Any:
    """The spine's settings with a GS1 prefix and PACK-01's scale and printer."""
    settings = spine.env.settings
    assert settings is not None
    packing = settings.section("packing").model_copy(
        update={"gs1_company_prefix": "0614141", "tracking_is_sscc": ["DHL"]}
    )
    station = [
        DeviceSettings(id=SCALE, kind="scale", station="PACK-01"),
        DeviceSettings(id="printer-pack-01", kind="printer", station="PACK-01"),
    ]
    return settings.model_copy(update={"packing": packing, "devices": station})


def _scale_online(spine: Spine) -> None:
    session = new_session_id()
    raw = [
        (mqtt_topics.availability("site1", SCALE), status_payload("online", session)),
        (mqtt_topics.state("site1", SCALE), {"grams": 0.0, "stable": True}),
    ]
    messages = [decode_message(topic, encode(payload)) for topic, payload in raw]
    spine.execute(IngestDeviceBatch(fold(messages, utcnow())), TESTER)  # type: ignore[arg-type]


def _packer(spine: Spine, badge: str) -> str:
    operator(spine, badge, "packer")
    code = spine.execute(AddKiosk("ST-PACK-01", "station", "PACK-01", 900.0), TESTER).result
    spine.execute(EnrollKiosk(code["enrollment_code"]), TESTER)
    login = Login("ST-PACK-01", "PACK-01", badge, True, LOCKOUT_ATTEMPTS, LOCKOUT_WINDOW_S)
    result = spine.execute(login, TESTER).result
    assert result["outcome"] == "ok", result
    floor_input(spine, result["session_id"], action="pack")
    return str(result["session_id"])


def _weigh(spine: Spine, session_id: str, grams: float) -> dict[str, Any]:
    for value in ({"grams": 0.0, "stable": True}, {"grams": grams, "stable": True}):
        inp = FloorInput(new_id("in"), action="scale", value=value, source=f"mqtt:{SCALE}")
        screen: dict[str, Any] = spine.execute(ApplyInput(session_id, inp), TESTER).result
    return screen


def _label(spine: Spine, session_id: str, screen: dict[str, Any]) -> dict[str, Any]:
    assert screen["name"] == "pack.label", screen
    return floor_input(spine, session_id, scan=f"00{screen['target']['sscc']}")


def tour_packing(spine: Spine, picked: Any) -> None:
    """`picked(external_id, **qty)` picks an order into a tote at PACK-01: its tote."""
    spine.execute(UpsertBoxes(BOXES), TESTER)
    rules = [
        {"id": "small", "carrier": "DHL", "service": "Paket", "max_weight_g": 2000},
        {"id": "any", "carrier": "UPS", "service": "Standard"},
    ]
    spine.execute(ReplaceCarrierRules(rules), TESTER)
    env, spine.env = spine.env, dataclasses.replace(spine.env, settings=_with_packing(spine))
    try:
        _scale_online(spine)
        operator(spine, "S-T", "supervisor")
        packer = _packer(spine, "K-T")
        _two_packages(spine, packer, picked("PK-1", MUG=2, PEN=1))
        _approved(spine, packer, picked("PK-2", MUG=1))
        sscc = in_db(
            lambda: Package.get(Package.order == Order.get(Order.external_id == "PK-2")).sscc
        )
        spine.execute(SetTracking(sscc, "JD014600006281234567"), TESTER)  # a carrier's own
        spine.execute(CancelOrder("PK-2", "customer"), TESTER)  # after packing: flagged
        _short(spine, packer, picked("PK-3", MUG=1))
        _released(spine, packer, picked("PK-4", PEN=1))
    finally:
        spine.env = env


def _two_packages(spine: Spine, packer: str, tote: str) -> None:
    floor_input(spine, packer, scan=tote)
    floor_input(spine, packer, action="take_box")
    floor_input(spine, packer, scan="4006381333931")
    floor_input(spine, packer, action="new_package")
    floor_input(spine, packer, scan="BOX-M")
    floor_input(spine, packer, scan="4006381333931")
    floor_input(spine, packer, action="move", value=1)  # the second mug goes with the first
    screen = floor_input(spine, packer, scan="96385074")
    assert screen["name"] == "pack.weigh", screen
    screen = _label(spine, packer, _weigh(spine, packer, 890.0))
    assert screen["name"] == "pack.done", screen


def _approved(spine: Spine, packer: str, tote: str) -> None:
    floor_input(spine, packer, action="next")
    floor_input(spine, packer, scan=tote)
    floor_input(spine, packer, action="take_box")
    floor_input(spine, packer, scan="4006381333931")
    screen = _weigh(spine, packer, 900.0)
    assert screen["name"] == "pack.weight_mismatch", screen
    floor_input(spine, packer, action="override")
    floor_input(spine, packer, scan="S-T")
    floor_input(spine, packer, action="pin", value=PIN)
    screen = floor_input(spine, packer, action="reason_packaging")
    assert _label(spine, packer, screen)["name"] == "pack.done"
    assert in_db(lambda: Package.select().where(Package.status == "packed").count()) == 2


def _released(spine: Spine, packer: str, tote: str) -> None:
    floor_input(spine, packer, scan=tote)
    spine.execute(ReleasePackJob("PK-4", "the packer went home"), TESTER)
    screen = floor_input(spine, packer, scan=tote)  # the same packer takes it back
    assert screen["name"] == "pack.box", screen


def _short(spine: Spine, packer: str, tote: str) -> None:
    floor_input(spine, packer, action="next")
    floor_input(spine, packer, scan=tote)
    floor_input(spine, packer, action="take_box")
    floor_input(spine, packer, action="short")
    floor_input(spine, packer, action="short_damaged")
