"""The broker's access rules for one site, from the `[[devices]]` of the server's config, as
pure text (no I/O): a Mosquitto `acl_file` (deploy/mosquitto/, docs/deployment.md).

One login per bridge, named as the bridge (`bridge_id`): it may publish only its own status
and the topics of the devices configured with `bridge = "<that bridge>"`, and read only its
confirmations and its devices' commands. The server's login (`floorlink-server`) reads the
whole site and writes commands, confirmations and its own status. Nobody else has any
right (Mosquitto denies what no rule grants).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Protocol

from devices import mqtt_topics

SERVER_LOGIN = "floorlink-server"


class Device(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def bridge(self) -> str: ...


def bridges_and_devices(devices: Iterable[Device]) -> dict[str, list[str]]:
    """bridge id -> its devices' ids (devices without a bridge are left out)."""
    out: dict[str, list[str]] = defaultdict(list)
    for device in devices:
        if device.bridge:
            out[device.bridge].append(device.id)
    return {bridge: sorted(ids) for bridge, ids in sorted(out.items())}


def mosquitto_acl(site: str, devices: Iterable[Device]) -> str:
    root = f"{mqtt_topics.ROOT}/{mqtt_topics.check_id(site, 'site')}"
    lines = [
        f"# Mosquitto acl_file for site {site}: made by `floorlink devices mqtt-acl`",
        "# from the [[devices]] of the server's config; make it again when they change.",
        "",
        f"user {SERVER_LOGIN}",
        f"topic read {root}/#",
        f"topic write {root}/server/status",
        f"topic write {root}/server/status/+",
        f"topic write {root}/bridge/+/committed",
        f"topic write {root}/device/+/cmd/+",
        "",
    ]
    for bridge, ids in bridges_and_devices(devices).items():
        bridge = mqtt_topics.check_id(bridge, "bridge id")
        lines += [
            f"user {bridge}",
            f"topic write {root}/bridge/{bridge}/status",
            f"topic read {root}/bridge/{bridge}/committed",
            f"topic read {root}/server/status",
            f"topic read {root}/server/status/+",
        ]
        for device in ids:
            base = f"{root}/device/{mqtt_topics.check_id(device, 'device id')}"
            lines += [
                f"topic write {base}/availability",
                f"topic write {base}/state",
                f"topic write {base}/event/+",
                f"topic write {base}/cmd/+/reply",
                f"topic read {base}/cmd/+",
            ]
        lines.append("")
    return "\n".join(lines)


def foreign_bridge(device_id: str, named: str | None, bridge_of: dict[str, str]) -> str | None:
    """Why the server refuses a device's message that names bridge `named`: the device is
    configured behind another bridge (None: accepted). The broker's ACL already keeps a
    bridge's login off other bridges' devices; this holds where the ACL is missing."""
    configured = bridge_of.get(device_id, "")
    if named and configured and named != configured:
        return f"device {device_id} is behind bridge {configured}, not {named}"
    return None
