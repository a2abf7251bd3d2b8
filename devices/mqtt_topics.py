"""The MQTT topic scheme (docs/architecture.md, MQTT), as pure build and parse functions.

Every topic lives under ``floorlink/<site>/``::

    bridge/<bridge_id>/status                 retained birth / last will
    bridge/<bridge_id>/committed              the server's confirmations of committed events
    server/status                             the server's retained birth / last will
    server/status/p<i>                        the same, per MQTT partition i, on a site
                                              served by several processes
    device/<device_id>/availability           retained online / offline
    device/<device_id>/state                  retained last known state
    device/<device_id>/event/<type>           QoS 1 events (scan, weight, press, ...)
    device/<device_id>/cmd/<name>             commands to a device
    device/<device_id>/cmd/<name>/reply       the device's answer

Builders raise ``ValueError`` on an id that cannot be a topic level (that is a
configuration error); :func:`parse_topic` returns ``None`` for a topic outside the scheme.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

ROOT = "floorlink"
ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")

TopicKind = Literal[
    "bridge_status", "bridge_committed", "availability", "state", "event", "command", "reply"
]


@dataclass(frozen=True)
class Topic:
    """A parsed topic: ``subject`` is the bridge or device id, ``name`` the event/command."""

    site: str
    kind: TopicKind
    subject: str
    name: str | None = None


def check_id(value: str, what: str = "id") -> str:
    """Return ``value`` if it is a valid site/device/bridge/event id, else raise ValueError."""
    if not isinstance(value, str) or not ID.match(value):
        raise ValueError(
            f"Invalid {what} {value!r}: use 1-64 letters, digits, '_', '.', ':' or '-'"
        )
    return value


def _prefix(site: str) -> str:
    return f"{ROOT}/{check_id(site, 'site')}"


def bridge_status(site: str, bridge_id: str) -> str:
    return f"{_prefix(site)}/bridge/{check_id(bridge_id, 'bridge id')}/status"


def bridge_committed(site: str, bridge_id: str) -> str:
    """What the server committed of a bridge's events (only that bridge reads it)."""
    return f"{_prefix(site)}/bridge/{check_id(bridge_id, 'bridge id')}/committed"


def server_status(site: str, partition: int | None = None) -> str:
    """The server's own retained status (birth ``online``, last will ``offline``): one topic
    for a site served by one process, one per MQTT partition (``partition``) for a site
    served by several, so that one dead process's last will does not mark the others
    offline. A bridge reads both (`server_status_filters`): the server is up while any says
    ``online``."""
    base = f"{_prefix(site)}/server/status"
    return base if partition is None else f"{base}/p{int(partition)}"


def server_status_filters(site: str) -> tuple[str, str]:
    return server_status(site), f"{server_status(site)}/+"


def is_server_status(site: str, topic: str) -> bool:
    base = server_status(site)
    return topic == base or (
        topic.startswith(base + "/") and topic.count("/") == base.count("/") + 1
    )


def availability(site: str, device_id: str) -> str:
    return f"{_prefix(site)}/device/{check_id(device_id, 'device id')}/availability"


def state(site: str, device_id: str) -> str:
    return f"{_prefix(site)}/device/{check_id(device_id, 'device id')}/state"


def event(site: str, device_id: str, event_type: str) -> str:
    device = check_id(device_id, "device id")
    return f"{_prefix(site)}/device/{device}/event/{check_id(event_type, 'event type')}"


def command(site: str, device_id: str, name: str) -> str:
    device = check_id(device_id, "device id")
    return f"{_prefix(site)}/device/{device}/cmd/{check_id(name, 'command')}"


def command_reply(site: str, device_id: str, name: str) -> str:
    return command(site, device_id, name) + "/reply"


def site_filter(site: str) -> str:
    """Everything of a site (what the server subscribes to)."""
    return f"{_prefix(site)}/#"


def commands_filter(site: str, device_id: str) -> str:
    """The commands of one device (``.../cmd/+``; replies are one level deeper)."""
    return f"{_prefix(site)}/device/{check_id(device_id, 'device id')}/cmd/+"


def parse_topic(topic: str) -> Topic | None:
    """Parse a topic of the scheme, or return None when it is not one."""
    levels = topic.split("/")
    if len(levels) < 5 or levels[0] != ROOT or not all(ID.match(level) for level in levels[1:]):
        return None
    site, area, subject, rest = levels[1], levels[2], levels[3], levels[4:]
    if area == "bridge":
        if rest == ["committed"]:
            return Topic(site, "bridge_committed", subject)
        return Topic(site, "bridge_status", subject) if rest == ["status"] else None
    if area != "device":
        return None
    if rest == ["availability"]:
        return Topic(site, "availability", subject)
    if rest == ["state"]:
        return Topic(site, "state", subject)
    if len(rest) == 2 and rest[0] == "event":
        return Topic(site, "event", subject, rest[1])
    if len(rest) == 2 and rest[0] == "cmd":
        return Topic(site, "command", subject, rest[1])
    if len(rest) == 3 and rest[0] == "cmd" and rest[2] == "reply":
        return Topic(site, "reply", subject, rest[1])
    return None
