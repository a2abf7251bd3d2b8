import json
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices import device_data as dd
from devices.light_commands import Off, SetStack, Show, parse_light_command, state_after
from devices.payloads import (
    Availability,
    BridgeStatus,
    Command,
    CommandReply,
    DeviceEvent,
    DeviceState,
    PayloadError,
    command_payload,
    decode_message,
    encode,
    event_payload,
    reply_payload,
    status_payload,
)

P = "floorlink/main"
TS = "2026-11-23T12:00:00.123Z"


def envelope(device: str = "scanner-1", **changes: object) -> dict:
    body = {
        "v": 1,
        "event_id": f"{device}:s1:7",
        "device_id": device,
        "session": "s1",
        "seq": 7,
        "ts": TS,
        "historical": False,
        "data": {"raw": "]C10109501101530003\u001d10LOT"},
    }
    body.update(changes)
    return body


def test_a_scan_event_decodes_with_gs_kept() -> None:
    message = decode_message(f"{P}/device/scanner-1/event/scan", json.dumps(envelope()).encode())
    assert message == DeviceEvent(
        site="main",
        device_id="scanner-1",
        type="scan",
        event_id="scanner-1:s1:7",
        session="s1",
        seq=7,
        ts=datetime(2026, 11, 23, 12, 0, 0, 123000, tzinfo=UTC),
        historical=False,
        data=dd.ScanData(raw="]C10109501101530003\x1d10LOT"),
    )


@pytest.mark.parametrize(
    ("topic", "payload", "expected"),
    [
        (
            f"{P}/device/scale-1/event/weight",
            envelope("scale-1", data={"grams": 1234.5, "stable": True}),
            dd.WeightData(1234.5, True),
        ),
        (f"{P}/device/ptl-1/event/press", envelope("ptl-1", data={}), dd.PressData()),
        (
            f"{P}/device/ptl-1/event/press",
            envelope("ptl-1", data={"button": "confirm"}),
            dd.PressData("confirm"),
        ),
        (
            f"{P}/device/sc-1/event/scan_error",
            envelope("sc-1", data={"error": "Bad check digit"}),
            dd.ScanErrorData("Bad check digit"),
        ),
        (
            f"{P}/device/dock-2/event/door",
            envelope("dock-2", data={"open": True}),
            dd.DoorData(True),
        ),
    ],
)
def test_event_data_per_device_kind(topic: str, payload: dict, expected: object) -> None:
    message = decode_message(topic, encode(payload))
    assert isinstance(message, DeviceEvent)
    assert message.data == expected


@pytest.mark.parametrize(
    ("state", "kind", "data"),
    [
        ({"grams": 1234.5, "stable": True}, "scale", dd.WeightData(1234.5, True)),
        ({"grams": 12, "stable": False}, "scale", dd.WeightData(12.0, False)),
        ({"open": True}, "door", dd.DoorData(True)),
        ({"celsius": 4.2}, "temperature", dd.TemperatureData(4.2)),
        ({"celsius": -18}, "temperature", dd.TemperatureData(-18.0)),
        (
            {"lit": True, "text": "3", "color": "green", "qty": 3},
            "pick_to_light",
            dd.PickLightData(True, "3", "green", 3),
        ),
        ({"lit": False}, "pick_to_light", dd.PickLightData(False)),
        ({"color": "red", "blink": True}, "stack_light", dd.StackLightData("red", True)),
    ],
)
def test_retained_state_is_recognised_by_its_keys(state: dict, kind: str, data: object) -> None:
    message = decode_message(f"{P}/device/dev-1/state", encode(state))
    assert message == DeviceState("main", "dev-1", kind, data)


def test_status_availability_commands_and_replies() -> None:
    birth = decode_message(f"{P}/bridge/edge-1/status", b'{"state":"online","session":"s9"}')
    assert birth == BridgeStatus("main", "edge-1", "online", "s9")
    available = decode_message(
        f"{P}/device/sc-1/availability", encode(status_payload("offline", "s9", 0))
    )
    assert available == Availability(
        "main", "sc-1", "offline", "s9", datetime(1970, 1, 1, tzinfo=UTC)
    )
    command = decode_message(
        f"{P}/device/ptl-1/cmd/show",
        encode(command_payload("c-1", {"text": "3", "color": "green", "qty": 3}, expires_at=0)),
    )
    assert isinstance(command, Command)
    assert (command.cmd_id, dict(command.args)) == (
        "c-1",
        {"text": "3", "color": "green", "qty": 3},
    )
    assert command.expired()
    reply = decode_message(f"{P}/device/ptl-1/cmd/show/reply", encode(reply_payload("c-1", "ok")))
    assert isinstance(reply, CommandReply)
    assert (reply.cmd_id, reply.status, reply.name) == ("c-1", "ok", "show")


GARBAGE = [
    (f"{P}/device/x/state", b"", "Empty payload"),
    (f"{P}/device/x/state", b"\xff\xfe", "Not JSON"),
    (f"{P}/device/x/state", b"{not json", "Not JSON"),
    (f"{P}/device/x/state", b"[1, 2]", "Payload must be a JSON object"),
    (f"{P}/device/x/state", b'"text"', "Payload must be a JSON object"),
    (f"{P}/device/x/state", b'{"celsius": NaN}', "Not JSON: NaN is not allowed"),
    (
        f"{P}/device/x/state",
        b'{"celsius": "4.2"}',
        "temperature state: 'celsius' expected a number",
    ),
    (
        f"{P}/device/x/state",
        b'{"grams": true, "stable": true}',
        "scale state: 'grams' expected a number",
    ),
    (f"{P}/device/x/state", b'{"open": 1}', "door state: 'open' expected true or false"),
    (f"{P}/device/x/state", b'{"humidity": 40}', "Unrecognised state ['humidity']"),
    (f"{P}/device/x/state", b'{"open": true, "extra": 1}', "Unrecognised state"),
    (f"{P}/device/x/state", b"{" + b" " * 16384 + b"}", "Payload too large: 16386 bytes"),
    ("elsewhere/x", b"{}", "Not a Floorlink topic"),
    (f"{P}/device/x/availability", b'{"state": "maybe"}', "'state' must be one of online, offline"),
    (f"{P}/bridge/b/status", b'{"state": "online", "pid": 1}', "Unknown field 'pid'"),
    (f"{P}/device/x/cmd/show", b'{"text": "3"}', "'cmd_id' must be a non-empty string"),
    (f"{P}/device/x/cmd/show", b'{"cmd_id": "c", "expires_at": "soon"}', "'expires_at' must be"),
    (
        f"{P}/device/x/cmd/show/reply",
        b'{"cmd_id": "c", "status": "done"}',
        "'status' must be one of",
    ),
]


@pytest.mark.parametrize(("topic", "payload", "message"), GARBAGE)
def test_garbage_is_a_payload_error_with_a_clear_message(
    topic: str, payload: bytes, message: str
) -> None:
    result = decode_message(topic, payload)
    assert isinstance(result, PayloadError), result
    assert result.message.startswith(message), result.message


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"v": 2}, "Unsupported envelope version 2"),
        ({"device_id": "scanner-2"}, "device_id 'scanner-2' does not match the topic"),
        ({"seq": 0}, "'seq' must be a positive integer"),
        ({"seq": "7"}, "'seq' must be a positive integer"),
        ({"seq": True}, "'seq' must be a positive integer"),
        ({"ts": "2026-11-23 12:00"}, "'ts' must be an ISO 8601 timestamp with a time zone"),
        ({"historical": "no"}, "'historical' must be true or false"),
        ({"event_id": ""}, "'event_id' must be a non-empty string"),
        ({"data": {"raw": 42}}, "scan data: 'raw' expected a string"),
        ({"data": {}}, "scan data: missing field 'raw'"),
        ({"data": {"raw": "x", "gtin": "1"}}, "scan data: unknown field 'gtin'"),
        ({"data": "raw"}, "scan data: expected a JSON object"),
        ({"extra": 1}, "Unknown field 'extra'"),
    ],
)
def test_a_bad_envelope_is_refused(changes: dict, message: str) -> None:
    result = decode_message(f"{P}/device/scanner-1/event/scan", encode(envelope(**changes)))
    assert isinstance(result, PayloadError)
    assert result.message.startswith(message), result.message


def test_an_unknown_event_type_is_refused() -> None:
    result = decode_message(f"{P}/device/scanner-1/event/teleport", encode(envelope()))
    assert isinstance(result, PayloadError)
    assert result.message.startswith("Unknown event type 'teleport'")


@given(st.binary(max_size=300))
def test_decode_message_never_raises(payload: bytes) -> None:
    for kind in ("state", "availability", "event/scan", "cmd/show", "cmd/show/reply"):
        assert decode_message(f"{P}/device/d/{kind}", payload) is not None


@given(st.dictionaries(st.text(max_size=10), st.none() | st.booleans() | st.floats() | st.text()))
def test_decode_message_never_raises_on_json_objects(obj: dict) -> None:
    payload = json.dumps(obj).encode()
    for kind in ("state", "availability", "event/press", "cmd/set"):
        assert decode_message(f"{P}/device/d/{kind}", payload) is not None


@pytest.mark.parametrize(
    ("kind", "name", "args", "expected"),
    [
        ("pick_to_light", "show", {"text": "3", "color": "green", "qty": 3}, Show("3", "green", 3)),
        ("pick_to_light", "show", {"text": "A-01"}, Show("A-01", "green", None)),
        ("pick_to_light", "off", {}, Off()),
        ("stack_light", "set", {"color": "red", "blink": True}, SetStack("red", True)),
        ("stack_light", "set", {"color": "off"}, SetStack("off", False)),
        ("pick_to_light", "show", {"text": 3}, "show: 'text' must be a string"),
        ("pick_to_light", "show", {"text": "3", "color": "ultraviolet"}, "show: 'color' must be"),
        ("pick_to_light", "show", {"text": "3", "qty": -1}, "show: 'qty' must be"),
        ("pick_to_light", "show", {"text": "3", "beep": True}, "show: unknown argument 'beep'"),
        ("pick_to_light", "off", {"now": True}, "off takes no arguments"),
        ("stack_light", "set", {"color": "red", "blink": "yes"}, "set: 'blink' must be"),
        ("stack_light", "show", {"text": "3"}, "Unknown command 'show' for a stack_light"),
    ],
)
def test_light_commands(kind, name: str, args: dict, expected: object) -> None:
    result = parse_light_command(kind, name, args)
    if isinstance(expected, str):
        assert isinstance(result, str) and result.startswith(expected), result
    else:
        assert result == expected


def test_light_state_after_a_command_is_a_valid_state() -> None:
    for command in (Show("3", "green", 3), Off(), SetStack("amber", True)):
        state = dd.as_dict(state_after(command))
        assert isinstance(decode_message(f"{P}/device/l/state", encode(state)), DeviceState)


def test_built_event_payloads_round_trip() -> None:
    payload = event_payload("scale-1", "s2", 3, {"grams": 5.0, "stable": True}, historical=True)
    assert payload["event_id"] == "scale-1:s2:3"
    message = decode_message(f"{P}/device/scale-1/event/weight", encode(payload))
    assert isinstance(message, DeviceEvent)
    assert (message.seq, message.historical, message.data) == (3, True, dd.WeightData(5.0, True))
