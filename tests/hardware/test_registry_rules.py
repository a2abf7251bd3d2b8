"""The pure rules of the registry: two-level availability, staleness, folding a batch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from devices.device_data import DoorData, TemperatureData, WeightData
from devices.payloads import Availability, BridgeStatus, Command, DeviceEvent, DeviceState
from server.hardware.availability import Seen, availability, is_stale
from server.hardware.batch import fold

NOW = datetime(2026, 11, 23, 12, 0, 0)
RECENT = NOW - timedelta(seconds=10)
OLD = NOW - timedelta(seconds=600)


@pytest.mark.parametrize(
    ("device", "bridge", "broker", "expected"),
    [
        (Seen("online", RECENT), None, True, "online"),
        (Seen("offline", RECENT), None, True, "offline"),
        (Seen("online", RECENT), Seen("online", RECENT), True, "online"),
        (Seen("online", RECENT), Seen("offline", RECENT), True, "offline"),  # bridge last will
        (Seen("online", RECENT), Seen(None, None), True, "offline"),  # bridge never heard
        (Seen("online", RECENT), None, False, "offline"),  # no broker: we cannot know
        (Seen(None, RECENT), None, True, "online"),  # no availability topic: heard lately
        (Seen(None, OLD), None, True, "offline"),  # ... and stale
        (Seen(None, None), None, True, "offline"),  # configured, never heard
        (Seen("online", OLD), None, True, "online"),  # retained online: quiet is fine
    ],
)
def test_availability(device: Seen, bridge: Seen | None, broker: bool, expected: str) -> None:
    assert availability(device, bridge, broker, NOW, 120.0) == expected


@pytest.mark.parametrize(
    ("last_seen", "stale"), [(None, True), (RECENT, False), (OLD, True), (NOW, False)]
)
def test_stale(last_seen: datetime | None, stale: bool) -> None:
    assert is_stale(last_seen, NOW, 120.0) is stale


def _weight(seq: int, grams: float) -> DeviceEvent:
    return DeviceEvent(
        "s", "scale-1", "weight", f"scale-1:a:{seq}", "a", seq,
        datetime(2026, 1, 1, tzinfo=UTC), False, WeightData(grams, True),
    )  # fmt: skip


def test_fold_coalesces_a_device_to_one_change_and_keeps_event_order() -> None:
    messages = [
        DeviceState("s", "scale-1", "scale", WeightData(1.0, False)),
        _weight(1, 1.0),
        DeviceState("s", "scale-1", "scale", WeightData(2.0, True)),
        _weight(2, 2.0),
        Availability("s", "scale-1", "online", "a", None, bridge="edge-1"),
        BridgeStatus("s", "edge-1", "offline", "b"),
        DeviceState("s", "probe-1", "temperature", TemperatureData(4.5)),
        DeviceState("s", "door-1", "door", DoorData(True)),
        Command("s", "ptl-1", "show", "c1", None, {}),
    ]
    batch = fold(messages, NOW)  # type: ignore[arg-type]
    assert set(batch.changes) == {"scale-1", "edge-1", "probe-1", "door-1"}
    scale = batch.changes["scale-1"]
    assert (scale.kind, scale.state, scale.availability) == (
        "scale",
        {"grams": 2.0, "stable": True},
        "online",
    )
    assert scale.bridge_id == "edge-1"
    assert [e.seq for e in batch.events] == [1, 2]
    assert batch.changes["edge-1"].kind == "bridge"
    assert batch.changes["edge-1"].availability == "offline"
    assert batch.changes["probe-1"].kind == "probe"
    assert batch.ignored == 1
