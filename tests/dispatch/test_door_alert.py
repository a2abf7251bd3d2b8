"""A dock door open with nothing loaded: one supervisor exception however often the sweep
runs, none while packages go on the trailer, resolved when the door closes; the door's
state and availability in the devices list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask import Flask

from server.db import database as db_proxy
from server.dispatch.doors import DOOR_OPEN, DoorWatch, SweepDockDoors
from server.models import HardwareDevice, SupervisorException, utcnow
from server.models.dispatch import Manifest, ManifestPackage
from server.spine import SYSTEM
from tests.dispatch.conftest import DOOR, current, events, manifest_at
from tests.dispatch.test_manifest_api import load
from tests.fixtures.app import Api
from tests.floor.conftest import Kiosk


def sweep(app: Flask, minutes: float) -> dict[str, list[str]]:
    spine = app.extensions["floorlink"].spine
    now = utcnow() + dt.timedelta(minutes=minutes)
    result: dict[str, list[str]] = spine.execute(SweepDockDoors(now=now), SYSTEM).result
    return result


def open_exceptions() -> list[SupervisorException]:
    with db_proxy.connection_context():
        query = SupervisorException.select().where(SupervisorException.kind == DOOR_OPEN)
        return list(query.order_by(SupervisorException.id))


def test_an_idle_open_door_raises_one_exception_resolved_when_it_closes(
    app: Flask, door: Callable[..., None], docks: Api
) -> None:
    door(True)
    assert sweep(app, 4) == {"raised": [], "resolved": []}  # alert after 5 minutes (300 s)
    assert sweep(app, 6) == {"raised": ["DOCK-1"], "resolved": []}
    assert sweep(app, 7) == {"raised": [], "resolved": []}  # one exception per door
    watch = DoorWatch(app.extensions["floorlink"])
    assert watch.sweep() == {"raised": [], "resolved": []}
    (exc,) = open_exceptions()
    assert exc.status == "open" and exc.subject == "location:DOCK-1"
    assert exc.data["door"] == DOOR and "open for 6 min" in exc.message
    door(False)  # the door's event resolves it at once, without waiting for the sweep
    (exc,) = open_exceptions()
    assert exc.status == "resolved" and exc.resolution == "the door was closed"
    assert [e["type"] for e in events("exception.")] == ["exception.raised", "exception.resolved"]
    door(True)  # opened again: a new exception after another idle spell
    assert sweep(app, 6)["raised"] == ["DOCK-1"]
    assert [e.status for e in open_exceptions()] == ["resolved", "open"]


def test_loading_keeps_the_door_from_alerting(
    app: Flask, packed: Callable[..., list[str]], door: Callable[..., None], docks: Api
) -> None:
    door(True)
    (sscc,) = packed("WEB-1", PEN=1)
    manifest = manifest_at(docks)
    load(manifest, sscc)
    with db_proxy.connection_context():
        m = Manifest.get(Manifest.manifest_id == manifest)
        ManifestPackage.update(loaded_at=utcnow() + dt.timedelta(minutes=4)).where(
            ManifestPackage.manifest == m
        ).execute()
    assert sweep(app, 6)["raised"] == []  # loaded 2 minutes before
    assert sweep(app, 10)["raised"] == ["DOCK-1"]  # 6 minutes after the last load


def test_an_offline_or_closed_door_never_alerts(
    app: Flask, door: Callable[..., None], docks: Api
) -> None:
    door(False)
    assert sweep(app, 60)["raised"] == []
    door(True, availability="offline")
    assert sweep(app, 60)["raised"] == []


def test_the_door_in_the_devices_list(
    app: Flask, door: Callable[..., None], admin_api: Api
) -> None:
    door(True)
    devices = {d["id"]: d for d in admin_api.get("/devices").json["data"]}
    shown = devices[DOOR]
    assert (shown["kind"], shown["location"], shown["state"]) == ("door", "DOCK-1", {"open": True})
    assert shown["availability"] == "offline"  # this app hears no broker (MQTT disabled)
    with db_proxy.connection_context():
        assert HardwareDevice.get_by_id(DOOR).availability == "online"


def test_a_door_that_publishes_only_its_state_is_followed_by_the_sweep(
    app: Flask, dispatcher: Kiosk, docks: Api
) -> None:
    manifest_at(docks)
    now = utcnow()
    with db_proxy.connection_context():
        HardwareDevice.create(id=DOOR, kind="door", availability="online",
                              state={"open": False}, state_at=now, last_seen=now)  # fmt: skip
    watch = DoorWatch(app.extensions["floorlink"])
    watch.sweep()
    dispatcher.send(scan="DOCK-1")
    assert dispatcher.screen["name"] == "dispatch.door_closed"
    with db_proxy.connection_context():  # the retained state only, no `door` event
        HardwareDevice.update(state={"open": True}, state_at=utcnow()).where(
            HardwareDevice.id == DOOR
        ).execute()
    watch.sweep()
    assert current(dispatcher)["name"] == "dispatch.load", dispatcher.screen
