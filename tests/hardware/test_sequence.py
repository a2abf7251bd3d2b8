"""The order rules for a bridge's events (server/hardware/sequence.py) and their payloads."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from devices.confirmations import BridgeCommitted, Committed, committed_payload
from devices.device_data import ScanData
from devices.payloads import (
    BridgeStatus,
    DeviceEvent,
    PayloadError,
    SpoolStatus,
    decode_message,
    encode,
    status_payload,
)
from server.hardware import sequence


def ev(seq: int, device: str = "s-1", bridge: str | None = "edge-1", first: bool = False):
    return DeviceEvent(
        "main", device, "scan", f"{device}:S:{seq}", "S", seq, datetime.now(UTC), False,
        ScanData(raw=str(seq)), bridge, first,
    )  # fmt: skip


def test_in_order_events_apply_and_the_bridge_is_told_the_highest() -> None:
    events = [ev(1), ev(2), ev(3), ev(1, "s-2")]
    ordered = sequence.order(events, set())
    assert ordered.held == set()
    confirmation = ordered.confirmations["edge-1"]
    assert confirmation.committed == {("s-1", "S"): 3, ("s-2", "S"): 1}
    assert confirmation.resend == []


def test_an_event_after_a_gap_is_held_and_its_device_resent() -> None:
    known = {"s-1:S:4"}  # 1-4 committed before; 5 and 6 were lost by the broker
    ordered = sequence.order([ev(7), ev(8), ev(5, "s-2")], known)
    assert ordered.held == {"s-1:S:7", "s-1:S:8", "s-2:S:5"}
    assert ordered.confirmations["edge-1"].resend == [("s-1", "S"), ("s-2", "S")]
    assert ordered.confirmations["edge-1"].committed == {}


def test_replays_are_confirmed_again_and_first_needs_no_predecessor() -> None:
    known = {"s-1:S:2", "s-1:S:1"}
    ordered = sequence.order([ev(2), ev(3), ev(9, "s-2", first=True), ev(10, "s-2")], known)
    assert ordered.held == set()
    assert ordered.confirmations["edge-1"].committed == {("s-1", "S"): 3, ("s-2", "S"): 10}
    assert sequence.lookups([ev(3), ev(9, "s-2", first=True)]) == ["s-1:S:3", "s-1:S:2", "s-2:S:9"]


def test_events_without_a_bridge_are_not_ordered() -> None:
    ordered = sequence.order([ev(7, bridge=None)], set())
    assert ordered.held == set() and ordered.confirmations == {}


def test_confirmations_and_spool_status_round_trip_and_garbage_is_refused() -> None:
    payload = committed_payload([Committed("s-1", "S", 4)], [("s-2", "S")])
    decoded = decode_message("floorlink/main/bridge/edge-1/committed", encode(payload))
    assert decoded == BridgeCommitted(
        "main", "edge-1", (Committed("s-1", "S", 4),), (("s-2", "S"),)
    )
    for bad in ({"committed": [{"device_id": "s-1", "session": "S", "seq": 0}]},
                {"committed": "all"}, {"resend": [["s-1", "S"]]}, {"extra": 1}):  # fmt: skip
        assert isinstance(
            decode_message("floorlink/main/bridge/e/committed", json.dumps(bad)), PayloadError
        )
    status = status_payload("online", "S", spool=SpoolStatus(3, 3, True))
    decoded_status = decode_message("floorlink/main/bridge/edge-1/status", encode(status))
    assert isinstance(decoded_status, BridgeStatus)
    assert decoded_status.spool == SpoolStatus(3, 3, True)
    status["spool"] = {"events": -1, "capacity": 3, "full": True}
    assert isinstance(
        decode_message("floorlink/main/bridge/e/status", encode(status)), PayloadError
    )


def test_held_then_resent_in_the_same_batch_is_applied_once_after_its_predecessor() -> None:
    known = {"s-1:S:1"}
    # 3 arrives before 2 (the broker lost 2, the bridge resent 2 and 3 behind it)
    ordered = sequence.order([ev(3), ev(2), ev(3)], known)
    assert [e.seq for e in ordered.applied] == [2, 3]
    assert ordered.held == set()
    assert ordered.confirmations["edge-1"].committed == {("s-1", "S"): 3}
    assert ordered.confirmations["edge-1"].resend == [("s-1", "S")]  # harmless: 2 and 3 again
