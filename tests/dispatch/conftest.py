"""Dispatch on the real app: the test site with docks DOCK-1 (a door sensor) and DOCK-2 (none),
packed packages seeded in the database, a dispatcher's handheld, the door as the ingest
leaves it in the registry and its route."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from server.areas import load_settings
from server.config import Settings
from server.db import database as db_proxy
from server.dispatch.doors import door_changed
from server.hardware.routes import DeviceEvent
from server.ids import new_id
from server.models import Event, HardwareDevice, utcnow
from tests.dispatch.seeding import order_body, pack_directly
from tests.fixtures.app import Api
from tests.floor.conftest import FLOOR, Kiosk, add_kiosk, add_operator

DOOR = "door-dock-1"
DOCKS = [
    {"code": "DOCK-1", "barcode": "LDOCK-1", "zone": "D", "kind": "dock", "walk_sequence": 950},
    {"code": "DOCK-2", "zone": "D", "kind": "dock", "walk_sequence": 951},
]


@pytest.fixture
def dispatch_overrides() -> dict[str, Any]:
    return {}


@pytest.fixture
def settings(db_url: str, dispatch_overrides: dict[str, Any]) -> Settings:
    return load_settings(
        env={},
        database_url=db_url,
        secret_key="test-secret-key",
        relay={"enabled": False},
        mqtt={"enabled": False},
        dispatch={"door_open_alert_s": 300, "carriers": ["DPD"]} | dispatch_overrides,
        devices=[{"id": DOOR, "kind": "door", "location": "DOCK-1"}],
    )


@pytest.fixture
def docks(site: Api) -> Api:
    assert site.put("/locations", {"locations": DOCKS}).status_code == 200
    return site


@pytest.fixture
def packed(app: Flask, docks: Api) -> Callable[..., list[str]]:
    """An order posted over the API, then picked and packed in the database: its SSCCs."""

    def make(
        external_id: str,
        packages: list[dict[str, int]] | None = None,
        carrier: str = "DHL",
        service: str = "Paket",
        **lines: int,
    ) -> list[str]:
        body = order_body(external_id, carrier, service, **(lines or {"PEN": 1}))
        r = docks.post("/orders", body, headers={"Idempotency-Key": external_id})
        assert r.status_code == 201, r.json
        with db_proxy.connection_context(), db_proxy.atomic():
            return pack_directly(external_id, packages, carrier, service, 1000)

    return make


@pytest.fixture
def door(app: Flask) -> Callable[..., None]:
    """The door sensor of DOCK-1: its registry row as the ingest writes it (retained state and
    availability), then its `door` event through the area's route."""
    spine = app.extensions["floorlink"].spine

    def set_door(is_open: bool | None, availability: str = "online") -> None:
        now = utcnow()
        with db_proxy.connection_context():
            state = None if is_open is None else {"open": is_open}
            row = HardwareDevice.get_or_none(HardwareDevice.id == DOOR)
            if row is None:
                HardwareDevice.create(id=DOOR, kind="door", availability=availability,
                                      state=state, state_at=now, last_seen=now)  # fmt: skip
            else:
                changed = row.state != state
                HardwareDevice.update(
                    availability=availability, state=state, last_seen=now,
                    state_at=now if changed else row.state_at,
                ).where(HardwareDevice.id == DOOR).execute()  # fmt: skip
        event = DeviceEvent(DOOR, "door", f"d1:{new_id('d')}", utcnow(), False,
                            {"open": bool(is_open)}, "door", None, "DOCK-1")  # fmt: skip
        with app.app_context():
            door_changed(spine, event)

    return set_door


@pytest.fixture
def dispatcher(app: Flask, client: FlaskClient) -> Kiosk:
    """Dan the dispatcher, logged in on a handheld, on the dispatch flow."""
    add_operator(app, "D1", ("dispatcher",))
    code = add_kiosk(app, "HH-D1", "handheld")
    r = client.post(f"{FLOOR}/enroll", json={"code": code})
    kiosk = Kiosk(client, "HH-D1", r.json["device_token"])
    assert kiosk.login("D1").status_code == 201
    kiosk.send(action="dispatch")
    return kiosk


def current(kiosk: Kiosk) -> dict[str, Any]:
    r = kiosk.client.get(f"{FLOOR}/sessions/{kiosk.session_id}/screen", headers=kiosk.headers())
    kiosk.screen = r.json["screen"]
    return kiosk.screen


def feedback(kiosk: Kiosk) -> tuple[str | None, str | None]:
    fb = kiosk.screen.get("feedback") or {}
    return fb.get("level"), fb.get("message")


def events(prefix: str = "", subject: str | None = None) -> list[dict[str, Any]]:
    with db_proxy.connection_context():
        rows = Event.select().order_by(Event.position)
        if subject is not None:
            rows = rows.where(Event.subject == subject)
        return [{"type": r.type, "subject": r.subject, "actor": r.actor, **r.data}
                for r in rows if r.type.startswith(prefix)]  # fmt: skip


def manifest_at(api: Api, dock: str = "DOCK-1", carrier: str = "DHL", **more: Any) -> str:
    r = api.post("/manifests", {"carrier": carrier, "dock": dock, **more})
    assert r.status_code == 201, r.json
    return str(r.json["id"])
