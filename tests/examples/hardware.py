from __future__ import annotations

from devices import mqtt_topics
from devices.payloads import (
    PayloadError,
    decode_message,
    encode,
    event_payload,
    new_session_id,
    status_payload,
)
from server.hardware.batch import fold
from server.hardware.handlers import IngestDeviceBatch
from server.models import utcnow
from tests.examples import Example


def _device_batch() -> IngestDeviceBatch:
    """A scale heard for the first time over MQTT: its availability, then a weight."""
    session = new_session_id()
    raw = [
        (
            mqtt_topics.availability("site1", "scale-1"),
            status_payload("online", session, bridge="edge-1"),
        ),
        (
            mqtt_topics.event("site1", "scale-1", "weight"),
            event_payload("scale-1", session, 1, {"grams": 412.0, "stable": True}),
        ),
    ]
    messages = [decode_message(topic, encode(payload)) for topic, payload in raw]
    decoded = [m for m in messages if not isinstance(m, PayloadError)]
    assert decoded == messages, messages
    return IngestDeviceBatch(fold(decoded, utcnow()))


EXAMPLES: dict[type, Example] = {IngestDeviceBatch: lambda s: _device_batch()}
