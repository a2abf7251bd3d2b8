"""Fuzzing of every parser that reads bytes from outside, with hypothesis (atheris has no
wheels for Python 3.11+ here): the barcode decoder, MQTT payload decoding (every topic kind,
the bridge's confirmations among them), MT-SICS, serial framing and Retry-After. The
properties: never raise, and what the parser promises (framing independent of how the bytes
were chunked; a Retry-After is never negative).

``make test`` runs a short run; ``make faults`` a long one (``FUZZ_EXAMPLES``).
Hypothesis is property-based, not coverage-guided: the strategies are shaped like the real
inputs (AIM prefixes, GS1 element strings, envelopes with one field changed) so that the
examples reach past the first check. Every crash found is a regression test below.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from devices.barcode import DecodeError, Scan, decode
from devices.framing import TERMINATORS, LineFramer, Overflow
from devices.mtsics import parse_line
from devices.payloads import decode_message, encode, event_payload, status_payload
from server.sync.schedule import parse_retry_after

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))
FUZZ = settings(
    max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)
NOW = dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)

# -- barcodes ----------------------------------------------------------------------------

aim = st.sampled_from(["", "]C1", "]C0", "]E0", "]E4", "]d2", "]Q3", "]e0", "]A0", "]X9"])
gs1_piece = st.sampled_from(
    ["01", "00", "10", "17", "21", "310", "3103", "(01)", "(10)", "\x1d", "0950110153000"]
)
gs1_body = st.lists(gs1_piece | st.text("0123456789ABCxyz-()\x1d", max_size=14), max_size=8)


@FUZZ
@given(aim, gs1_body)
def test_barcode_decoder_never_raises_on_scanner_shaped_input(
    prefix: str, parts: list[str]
) -> None:
    assert isinstance(decode(prefix + "".join(parts)), Scan | DecodeError)


@FUZZ
@given(st.binary(max_size=300))
def test_barcode_decoder_never_raises_on_bytes(raw: bytes) -> None:
    assert isinstance(decode(raw), Scan | DecodeError)


# -- MQTT payloads -----------------------------------------------------------------------

TOPICS = [
    "floorlink/s/bridge/b/status",
    "floorlink/s/bridge/b/committed",
    "floorlink/s/device/d/availability",
    "floorlink/s/device/d/state",
    "floorlink/s/device/d/event/scan",
    "floorlink/s/device/d/event/weight",
    "floorlink/s/device/d/event/door",
    "floorlink/s/device/d/cmd/show",
    "floorlink/s/device/d/cmd/show/reply",
]
VALID: list[dict[str, Any]] = [
    status_payload("online", "S", bridge="b"),
    {"committed": [{"device_id": "d", "session": "S", "seq": 3}], "resend": []},
    event_payload("d", "S", 7, {"raw": "TOTE-1"}, bridge="b"),
    event_payload("d", "S", 7, {"grams": 12.5, "stable": True}),
    {"cmd_id": "c-1", "status": "ok", "ts": "2026-12-02T12:00:00.000Z"},
    {"grams": 1.0, "stable": True},
]


@FUZZ
@given(st.sampled_from(TOPICS), st.binary(max_size=400))
def test_payload_decoding_never_raises_on_bytes(topic: str, payload: bytes) -> None:
    assert decode_message(topic, payload) is not None


@FUZZ
@given(st.sampled_from(TOPICS), st.sampled_from(VALID), st.text(max_size=12), json_values)
def test_payload_decoding_never_raises_on_a_valid_payload_with_one_field_changed(
    topic: str, valid: dict[str, Any], key: str, value: Any
) -> None:
    changed = dict(valid)
    changed[key if key or not valid else next(iter(valid))] = value
    assert decode_message(topic, json.dumps(changed)) is not None


@FUZZ
@given(st.text(max_size=120))
def test_topic_parsing_never_raises(topic: str) -> None:
    assert decode_message(topic, encode(VALID[0])) is not None


# -- MT-SICS -----------------------------------------------------------------------------

sics_head = st.sampled_from(["S", "SI", "SIR", "Z", "T", "@", "ES", "EL", "ET", "I4", ""])
sics_token = st.sampled_from(["S", "D", "I", "+", "-", "A", "L", "g", "kg", "lb"]) | st.text(
    "0123456789.-+ eE", max_size=12
)


@FUZZ
@given(sics_head, st.lists(sics_token, max_size=5), st.sampled_from(["", "\r\n", "\n"]))
def test_mtsics_never_raises_on_scale_shaped_lines(head: str, tokens: list[str], end: str) -> None:
    assert parse_line(" ".join([head, *tokens]) + end) is not None


# -- serial framing ----------------------------------------------------------------------

line_bytes = st.binary(max_size=700).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b""))


@FUZZ
@given(
    st.sampled_from(list(TERMINATORS)),
    st.lists(line_bytes, max_size=8),
    st.lists(st.integers(min_value=0, max_value=6000), max_size=10),
)
def test_framing_does_not_depend_on_how_the_bytes_were_chunked(
    terminator: Any, lines: list[bytes], cuts: list[int]
) -> None:
    stream = b"".join(line + TERMINATORS[terminator] for line in lines)
    whole = LineFramer(terminator).feed(stream)
    chunked: list[bytes | Overflow] = []
    framer = LineFramer(terminator)
    start = 0
    for cut in [*sorted(c % (len(stream) + 1) for c in cuts), len(stream)]:
        chunked += framer.feed(stream[start:cut])
        start = max(start, cut)

    def shape(out: list[bytes | Overflow]) -> list[bytes | str]:
        return [item if isinstance(item, bytes) else "overflow" for item in out]

    assert shape(chunked) == shape(whole)
    assert [x for x in shape(whole) if x != "overflow"] == [
        line for line in lines if line and len(line) <= 512
    ]


# -- Retry-After (from the OMS's webhook answers) ------------------------------------------


@FUZZ
@given(st.text(max_size=60) | st.from_regex(r"\d{1,30}", fullmatch=True) | st.none())
@example("\u00b2")  # found by this test: "²".isdigit() is true, float("²") raised
@example("١٢")
@example("Wed, 21 Oct 2015 07:28:00 GMT")
@example("Fri, 31 Dec 9999 23:59:59 GMT")
def test_retry_after_never_raises_and_is_never_negative(value: str | None) -> None:
    seconds = parse_retry_after(value, NOW)
    assert seconds is None or seconds >= 0
