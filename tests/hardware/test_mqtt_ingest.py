"""MQTT ingest on a real Mosquitto: once, in order, acked after commit, survives restarts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import peewee
import pytest

from server.db import connection
from server.hardware.routes import DeviceEvent
from server.models import Event
from server.models.hardware import HardwareDevice, HardwareInput
from server.spine import Actor, Spine, Unit
from tests.fixtures.areas import TEST_HANDLERS, TEST_ROUTES, WITH_TESTS, TestEvent
from tests.fixtures.mosquitto import MosquittoBroker
from tests.hardware import conftest as hardware
from tests.hardware.conftest import Publisher, Server, wait_for


@pytest.fixture(autouse=True)
def _door_routed_here(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests route `door` events themselves (`press_routed`): their servers run
    without the dispatch area, which owns the `door` route (server/dispatch/doors.py)."""
    without = tuple(a for a in WITH_TESTS if a.name != "dispatch")
    monkeypatch.setattr(hardware, "WITH_TESTS", without)


@dataclass(frozen=True)
class RecordPress:
    device_id: str
    seq: int


@TEST_HANDLERS.handles(RecordPress)
def record_press(cmd: RecordPress, unit: Unit) -> None:
    unit.record(TestEvent("test.pressed", f"device:{cmd.device_id}", {"seq": cmd.seq}))


def press_route(spine: Spine, event: DeviceEvent) -> None:
    seq = int(event.event_id.rsplit(":", 1)[1])
    spine.execute(
        RecordPress(event.device_id, seq), Actor("device", event.device_id), event.dedupe()
    )


@pytest.fixture
def press_routed() -> Iterator[None]:
    """A test route on `door` events (dispatch's, left out here; picking owns `press`)."""
    before = TEST_ROUTES.get("door")
    TEST_ROUTES["door"] = press_route
    yield
    if before is None:
        TEST_ROUTES.pop("door", None)
    else:
        TEST_ROUTES["door"] = before


def pressed(device_id: str) -> list[int]:
    with connection():
        rows = Event.select().where(
            Event.subject == f"device:{device_id}", Event.type == "test.pressed"
        )
        return [row.data["seq"] for row in rows.order_by(Event.position)]


def inputs() -> int:
    with connection():
        return HardwareInput.select().count()


def test_events_are_ingested_once_in_order_per_device(
    hw_settings: Callable[..., Any],
    server_factory: Callable[..., Server],
    publisher: Publisher,
    press_routed: None,
) -> None:
    server = server_factory(hw_settings())
    wait_for(lambda: server.connected, what="server connected")
    for seq in range(1, 101):
        for device in ("ptl-1", "ptl-2"):
            publisher.event(device, "door", seq, {"open": True})
        # a stream no area routes (packing routes `weight` to the pack station's session)
        publisher.event("probe-1", "temperature", seq, {"celsius": float(seq)})
    for seq in (5, 50):  # redeliveries of the same event ids
        publisher.event("ptl-1", "door", seq, {"open": True})
        publisher.event("probe-1", "temperature", seq, {"celsius": float(seq)})
    publisher.settle()
    wait_for(lambda: len(pressed("ptl-1")) == 100 and len(pressed("ptl-2")) == 100, what="presses")
    wait_for(lambda: server.stats["ingested"] == 100 and server.stats["duplicates"] == 2)
    assert pressed("ptl-1") == list(range(1, 101))
    assert pressed("ptl-2") == list(range(1, 101))
    assert inputs() == 100
    with connection():
        probe = HardwareDevice.get_by_id("probe-1")
    assert probe.kind == "probe"
    assert probe.last_event["data"] == {"celsius": 100.0}


def test_restarting_the_server_while_devices_publish_loses_nothing(
    hw_settings: Callable[..., Any],
    server_factory: Callable[..., Server],
    publisher: Publisher,
    press_routed: None,
) -> None:
    settings = hw_settings()
    first = server_factory(settings)
    wait_for(lambda: first.connected, what="server connected")
    for seq in range(1, 201):
        publisher.event("ptl-1", "door", seq, {"open": False})
        publisher.event("probe-1", "temperature", seq, {"celsius": 4.0})
        if seq == 100:
            first.stop()  # the server goes down mid-stream; its session keeps the rest
    publisher.settle()
    second = server_factory(settings)
    wait_for(lambda: len(pressed("ptl-1")) == 200, what="every press after the restart")
    wait_for(lambda: inputs() == 200, what="every reading after the restart")
    assert pressed("ptl-1") == list(range(1, 201))
    assert second.stats["malformed"] == 0


def test_broker_killed_and_restarted_the_server_reconnects(
    hw_settings: Callable[..., Any],
    server_factory: Callable[..., Server],
    mosquitto: MosquittoBroker,
    admin_key_for: Callable[[Server], Any],
) -> None:
    server = server_factory(hw_settings())
    wait_for(lambda: server.connected, what="server connected")
    mosquitto.kill()
    wait_for(lambda: not server.connected, what="server notices the broker is gone")
    listed = admin_key_for(server)
    assert listed["mqtt"] == {"enabled": True, "connected": False}
    mosquitto.start()
    wait_for(lambda: server.connected, timeout=20, what="server reconnects")
    publisher = Publisher(mosquitto.url, server.settings.site)
    try:
        publisher.event("door-1", "door", 1, {"open": True})
        publisher.settle()
        wait_for(lambda: inputs() == 1, what="event after the broker restart")
    finally:
        publisher.stop()


def test_malformed_payloads_are_counted_acked_and_do_not_stop_ingest(
    hw_settings: Callable[..., Any],
    server_factory: Callable[..., Server],
    publisher: Publisher,
) -> None:
    settings = hw_settings()
    server = server_factory(settings)
    wait_for(lambda: server.connected, what="server connected")
    publisher.raw("device/scale-1/event/weight", b"not json")
    publisher.raw("device/scale-1/event/weight", b"{" + b" " * 70_000 + b"}")
    publisher.raw("device/scale-1/event/weight", b'{"v": 1, "event_id": "x"}')
    publisher.raw("device/scale-1/event/teleport", b"{}")
    publisher.raw("somewhere/else/entirely", b"\xff\xfe")
    publisher.event("probe-1", "temperature", 1, {"celsius": 3.0})
    publisher.settle()
    wait_for(lambda: server.stats["ingested"] == 1, what="the good event")
    assert server.stats["malformed"] == 5
    assert "scale-1" in (server.stats["last_malformed"] or "") or server.stats["last_malformed"]
    server.stop()
    again = server_factory(settings)  # acked: the broker does not redeliver the garbage
    wait_for(lambda: again.connected, what="server connected")
    publisher.event("probe-1", "temperature", 2, {"celsius": 4.0})
    publisher.settle()
    wait_for(lambda: again.stats["ingested"] == 1, what="the next good event")
    assert again.stats["malformed"] == 0


def test_an_event_is_not_acked_until_its_route_committed(
    hw_settings: Callable[..., Any],
    server_factory: Callable[..., Server],
    publisher: Publisher,
) -> None:
    """The database is away while a routed event arrives: the server retries and never acks
    it; stopped like that, the next start gets it redelivered and routes it once."""
    calls: list[str] = []

    def database_away(spine: Spine, event: DeviceEvent) -> None:
        calls.append(event.event_id)
        raise peewee.OperationalError("database is locked")

    TEST_ROUTES["door"] = database_away
    try:
        settings = hw_settings()
        first = server_factory(settings)
        wait_for(lambda: first.connected, what="server connected")
        publisher.event("door-9", "door", 1, {"open": True})
        publisher.settle()
        wait_for(lambda: first.stats["commit_retries"] >= 2, what="retries")
        first.stop()
        TEST_ROUTES["door"] = press_route
        second = server_factory(settings)
        wait_for(lambda: pressed("door-9") == [1], what="the redelivered event routed")
        assert second.stats["commit_retries"] == 0
    finally:
        TEST_ROUTES.pop("door", None)


def test_a_route_on_a_connection_the_database_closed_is_retried_not_dropped(
    hw_settings: Callable[..., Any],
    server_factory: Callable[..., Server],
    publisher: Publisher,
) -> None:
    """After a PostgreSQL restart a pooled connection is closed: the route's rollback raises
    InterfaceError, not OperationalError. It is retried like one (the fault campaign found
    such a bridge scan confirmed to its bridge and never applied)."""
    calls: list[str] = []

    def connection_closed_once(spine: Spine, event: DeviceEvent) -> None:
        calls.append(event.event_id)
        if len(calls) == 1:
            raise peewee.InterfaceError("connection already closed")
        press_route(spine, event)

    TEST_ROUTES["door"] = connection_closed_once
    try:
        server = server_factory(hw_settings())
        wait_for(lambda: server.connected, what="server connected")
        publisher.event("door-7", "door", 1, {"open": True})
        publisher.settle()
        wait_for(lambda: pressed("door-7") == [1], what="the event routed on the retry")
        assert len(calls) == 2
        assert server.stats["route_failures"] == 0 and server.stats["commit_retries"] == 1
    finally:
        TEST_ROUTES.pop("door", None)


def test_the_server_owns_a_retained_status_with_a_last_will(
    hw_settings: Callable[..., Any],
    server_factory: Callable[..., Server],
    mqtt_probe: Callable[..., Any],
    hw_site: str,
) -> None:
    server = server_factory(hw_settings())
    wait_for(lambda: server.connected, what="server connected")
    probe = mqtt_probe(server.settings.mqtt_url, f"floorlink/{hw_site}/server/status")
    probe.wait(lambda msgs: msgs and msgs[-1].json()["state"] == "online")
    assert probe.messages[-1].retain
    server.stop()
    probe.wait(lambda msgs: msgs[-1].json()["state"] == "offline")
