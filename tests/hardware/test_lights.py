"""Commands to lights: found by location, published with cmd_id and expiry, reply tracked."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from devices.payloads import encode, reply_payload
from tests.hardware.conftest import Publisher, Server, wait_for

DEVICES = [
    {"id": "stack-A", "kind": "stack_light", "location": "A-01-01"},
    {"id": "ptl-A-01-01", "kind": "pick_to_light", "location": "A-01-01"},
    {"id": "scale-1", "kind": "scale", "location": "A-01-02"},
]


def test_a_command_is_published_and_its_reply_is_kept_on_the_device(
    hw_settings: Callable[..., Any],
    server_factory: Callable[..., Server],
    publisher: Publisher,
    mqtt_probe: Callable[..., Any],
    admin_key_for: Callable[..., Any],
    hw_site: str,
) -> None:
    server = server_factory(hw_settings(devices=DEVICES))
    wait_for(lambda: server.connected, what="server connected")
    lights = server.runtime.lights
    assert lights.light_at_location("A-01-01") == "ptl-A-01-01"
    assert lights.light_at_location("A-01-02") is None  # a scale is not a light
    assert lights.light_at_location("Z-99") is None
    assert server.app is not None
    probe = mqtt_probe(server.settings.mqtt_url, f"floorlink/{hw_site}/device/+/cmd/+")
    publisher.raw("device/marker/cmd/ping", b'{"cmd_id": "m"}')  # the probe is subscribed
    probe.wait(lambda msgs: len(msgs) == 1)

    show = {"text": "3", "color": "green", "qty": 3}
    cmd_id = lights.send_command("ptl-A-01-01", "show", show, 30.0)
    assert cmd_id is not None
    probe.wait(lambda msgs: len(msgs) == 2)
    sent = probe.messages[1]
    assert sent.topic == f"floorlink/{hw_site}/device/ptl-A-01-01/cmd/show"
    body = json.loads(sent.payload)
    assert body["cmd_id"] == cmd_id and body["qty"] == 3 and body["expires_at"].endswith("Z")

    publisher.raw("device/ptl-A-01-01/cmd/show/reply", encode(reply_payload(cmd_id, "ok")))
    publisher.settle()

    def replied() -> Any:
        rows = {row["id"]: row for row in admin_key_for(server)["data"]}
        command = rows["ptl-A-01-01"]["last_command"]
        return command and command.get("status") == "ok" and command

    command = wait_for(replied, what="the reply on the registry")
    assert command["cmd_id"] == cmd_id and command["name"] == "show"
    server.stop()
    assert lights.send_command("ptl-A-01-01", "off", {}, 30.0) is None  # MQTT gone: None, logged
