"""A site served by several processes has one server status per MQTT partition
(`server/status/p<i>`, devices/mqtt_topics.py): the bridge counts the server up while any
of them says online, so one dead process's last will does not stop its resends of
unconfirmed events, and every new birth makes it publish them again."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import paho.mqtt.client as mqtt

from devices import mqtt_topics
from devices.payloads import encode, status_payload
from devices.serial_scanner import ScannerConfig
from tests.firmware_bridge.test_bridge_store_and_forward import wait_until


def _publisher(url: str) -> mqtt.Client:
    host, port = url.removeprefix("mqtt://").rsplit(":", 1)
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="statuses")
    client.connect(host, int(port))
    client.loop_start()
    return client


def test_the_server_is_up_while_any_partition_says_so_and_each_birth_resends(
    mosquitto_factory: Callable[..., Any],
    mqtt_probe: Callable[..., Any],
    serial_pty: Callable[..., Any],
    run_bridge: Callable[..., Any],
) -> None:
    broker = mosquitto_factory()
    probe = mqtt_probe(broker.url, "floorlink/main/device/+/event/#")
    device = serial_pty("scanner-1")
    bridge = run_bridge(broker.url, scanners=(ScannerConfig("scanner-1", device.path),))
    wait_until(lambda: bridge.scanners[0].status == "online" and bridge.client.is_connected)
    publisher = _publisher(broker.url)

    def say(partition: int, state: str, session: str) -> None:
        topic = mqtt_topics.server_status("main", partition)
        payload = encode(status_payload(state, session))  # type: ignore[arg-type]
        publisher.publish(topic, payload, qos=1, retain=True).wait_for_publish(5)

    def online() -> bool:
        return bool(bridge.forwarder._server_online)

    try:
        device.write(b"TOTE-0001\r")  # nobody confirms it: it stays in the spool
        probe.wait(lambda msgs: len(msgs) == 1)
        say(0, "online", "p0-a")
        say(1, "online", "p1-a")
        wait_until(online)
        probe.wait(lambda msgs: len(msgs) >= 2)  # a birth: published again
        time.sleep(0.3)
        seen = len(probe.messages)
        say(1, "offline", "p1-a")  # partition 1's process died: its last will
        time.sleep(0.3)
        assert online()  # partition 0's process is still up
        say(0, "offline", "p0-a")
        wait_until(lambda: not online())
        assert len(probe.messages) == seen  # an offline says nothing to publish again
        say(1, "online", "p1-b")  # a survivor took partition 1 over (its own session)
        wait_until(online)
        probe.wait(lambda msgs: len(msgs) > seen)  # that birth: published again
        assert {m.json()["data"]["raw"] for m in probe.messages} == {"TOTE-0001"}
        assert bridge.spool.count() == 1
    finally:
        for partition in (0, 1):  # retained statuses are the broker's, not this test's
            publisher.publish(mqtt_topics.server_status("main", partition), b"", retain=True)
        publisher.loop_stop()
        publisher.disconnect()
