"""Which `floorlink serve` process of a site takes in a device's MQTT messages, as pure
rules (no I/O).

Several processes of one site each hold one MQTT session (client id
`floorlink-server-<site>-p<partition>`) subscribed to the whole site; each takes in the
messages of its own devices only: device `d` belongs to partition `crc32(d) % partitions`.
The others' messages are acknowledged and dropped at once (their owner has them in its own
session). So each device's events are handled by exactly one process, in the order the
broker delivered them, as with one process; a process that is down keeps its devices'
messages queued in its broker session (QoS 1, persistent) until it is back or another
process takes the partition over (server/hardware/failover.py), and bridges keep every
event until the server confirms it.

Why not shared subscriptions (`$share/...`): the broker hands consecutive messages of one
topic to different subscribers, so two processes would apply one device's events in
parallel and their order would be the race's.

Bridge-wide and server topics (a bridge's status) belong to partition 0.
"""

from __future__ import annotations

import zlib

from devices import mqtt_topics

DEVICE_KINDS = ("availability", "state", "event", "reply")


def owner(device_id: str, partitions: int) -> int:
    return zlib.crc32(device_id.encode()) % partitions if partitions > 1 else 0


def is_mine(topic: str, partition: int, partitions: int) -> bool:
    """Whether this partition takes in a message on `topic` (one outside the scheme is
    taken in, so that it is counted as malformed once, by partition 0)."""
    if partitions <= 1:
        return True
    parsed = mqtt_topics.parse_topic(topic)
    if parsed is not None and parsed.kind in DEVICE_KINDS:
        return owner(parsed.subject, partitions) == partition
    return partition == 0


def client_id(site: str, partition: int, partitions: int) -> str:
    base = f"floorlink-server-{site}"
    return base if partitions <= 1 else f"{base}-p{partition}"
