"""Dispatch's part of the event tour (tests/sync/event_tour.py), after packing's: PK-1 and
DS-1 (two packages, seeded as packed) leave on two manifests at DOCK-1, the first with a
split of DS-1 a supervisor approved, a
package of the cancelled PK-2 refused at the dock, a package unloaded again, an empty UPS
manifest called off, the door left open raising an exception that its closing resolves."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from devices import mqtt_topics
from devices.payloads import decode_message, encode, new_session_id, status_payload
from server.api.schemas import OrderIn
from server.dispatch.doors import SweepDockDoors
from server.dispatch.manifests import ApproveSplit, CancelManifest, CreateManifest
from server.floor.flow import FloorInput
from server.floor.inputs import ApplyInput
from server.hardware.batch import fold
from server.hardware.handlers import IngestDeviceBatch
from server.hardware.settings import DeviceSettings
from server.ids import new_id
from server.models import Order, Package, utcnow
from server.orders.handlers import AcceptOrder
from server.spine import Spine
from tests.dispatch.seeding import order_body, pack_directly
from tests.examples.setup import floor_input, kiosk, login, operator
from tests.sync.conftest import TESTER, in_db

DOOR = "door-dock-1"


def with_door(spine: Spine) -> Any:
    """The spine's settings with a door sensor at DOCK-1."""
    settings = spine.env.settings
    devices = [
        *settings.section("devices"),
        DeviceSettings(id=DOOR, kind="door", location="DOCK-1"),
    ]
    return settings.model_copy(update={"devices": devices})


def door(spine: Spine, is_open: bool) -> None:
    """The door's retained availability and state, taken in as the MQTT ingest does."""
    raw = [
        (mqtt_topics.availability("site1", DOOR), status_payload("online", new_session_id())),
        (mqtt_topics.state("site1", DOOR), {"open": is_open}),
    ]
    messages = [decode_message(topic, encode(payload)) for topic, payload in raw]
    spine.execute(IngestDeviceBatch(fold(messages, utcnow())), TESTER)  # type: ignore[arg-type]


def dispatcher(spine: Spine, badge: str) -> str:
    device_id = kiosk(spine, f"HH-{operator(spine, badge, 'dispatcher')}")
    result = spine.execute(login(device_id, badge), TESTER).result
    assert result["outcome"] == "ok", result
    floor_input(spine, result["session_id"], action="dispatch")
    return str(result["session_id"])


def scan(spine: Spine, session_id: str, code: str) -> dict[str, Any]:
    """A scan that may be refused (floor_input asserts it is not)."""
    inp = FloorInput(new_id("in"), scan=code)
    screen: dict[str, Any] = spine.execute(ApplyInput(session_id, inp), TESTER).result
    return screen


def ssccs(external_id: str) -> list[str]:
    def read() -> list[str]:
        order = Order.get(Order.external_id == external_id)
        rows = Package.select().where(Package.order == order, Package.status != "voided")
        return [p.sscc for p in rows.order_by(Package.seq)]

    return in_db(read)


def two_packages(spine: Spine, external_id: str) -> list[str]:
    """An order of two pens, accepted, then picked and packed in two packages in the
    database (packing's tour packs PK-1 in one)."""
    body = order_body(external_id, PEN=2)
    data = OrderIn.model_validate(body, strict=False).model_dump()
    data["ship_by"] = data["ship_by"].astimezone(dt.UTC).replace(tzinfo=None)
    spine.execute(AcceptOrder(data), TESTER)
    return in_db(lambda: pack_directly(external_id, [{"PEN": 1}, {"PEN": 1}]))


def tour_dispatch(spine: Spine) -> None:
    """After tour_packing: PK-1 packed, PK-2 packed then cancelled."""
    env, spine.env = spine.env, dataclasses.replace(spine.env, settings=with_door(spine))
    try:
        door(spine, True)
        packed = ssccs("PK-1")  # however many packages packing's tour made
        (flagged,) = ssccs("PK-2")
        first, second = two_packages(spine, "DS-1")
        made = spine.execute(CreateManifest("DHL", "DOCK-1", "any", "TR-1"), TESTER).result
        session = dispatcher(spine, "D-T")
        screen = floor_input(spine, session, scan="DOCK-1")
        assert screen["name"] == "dispatch.load", screen
        refused = scan(spine, session, f"00{flagged}")
        assert refused["feedback"]["level"] == "error", refused
        floor_input(spine, session, scan=f"00{first}")
        floor_input(spine, session, action="unload")
        floor_input(spine, session, scan=f"00{first}")
        floor_input(spine, session, scan=f"00{first}")
        for sscc in packed:
            floor_input(spine, session, scan=f"00{sscc}")
        spine.execute(ApproveSplit(made["id"], "DS-1", "the rest is being repacked"), TESTER)
        screen = floor_input(spine, session, action="close")
        assert screen["name"] == "dispatch.seal", screen
        screen = floor_input(spine, session, scan="SEAL-0001")
        assert screen["name"] == "dispatch.closed", screen
        spine.execute(CreateManifest("DHL", "DOCK-1", "any", "TR-2"), TESTER)
        floor_input(spine, session, action="next")
        floor_input(spine, session, scan="DOCK-1")
        floor_input(spine, session, scan=f"00{second}")
        floor_input(spine, session, action="close")
        assert floor_input(spine, session, action="key_seal", value=4711)["name"] == (
            "dispatch.closed"
        )
        ups = spine.execute(CreateManifest("UPS", "DOCK-1", "any", None), TESTER).result
        spine.execute(CancelManifest(ups["id"], "the truck did not come"), TESTER)
        later = utcnow() + dt.timedelta(hours=1)
        assert spine.execute(SweepDockDoors(now=later), TESTER).result["raised"] == ["DOCK-1"]
        door(spine, False)
        assert spine.execute(SweepDockDoors(), TESTER).result["resolved"] == ["DOCK-1"]
    finally:
        spine.env = env
