"""An event the server refuses for good is settled, not resent for ever (a real Mosquitto,
a real bridge reading scanners on pseudo-terminals).

Bridge edge-1 reads two scanners; the server's `[[devices]]` puts one of them behind
edge-2 (a bridge's config and the site's disagree). The server refuses that scanner's
events (they can never be accepted from edge-1) and says so on
`bridge/edge-1/committed` as `refused`; the bridge drops them from its spool with an
error in its log, and its status in the devices list counts them with the reason. Its
own scanner's events are applied and confirmed as before: the spool ends empty."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from devices.confirmations import Refused, committed_payload, decode_committed
from devices.json_fields import Fields
from devices.mqtt_topics import parse_topic
from devices.serial_scanner import ScannerConfig
from firmware_bridge.bridge import Bridge
from firmware_bridge.config import BridgeConfig
from server.db import connection
from server.models.hardware import HardwareInput
from tests.hardware.conftest import MosquittoBroker, Server, wait_for

DEVICES = [
    {"id": "scan-own", "kind": "scanner", "station": "PACK-01", "bridge": "edge-1"},
    {"id": "scan-other", "kind": "scanner", "station": "PACK-02", "bridge": "edge-2"},
]


def test_a_refusal_round_trips_through_the_confirmation_payload() -> None:
    refused = Refused("scan-other", "abc", 3, "device scan-other is behind bridge edge-2")
    payload = committed_payload([], refused=[refused])
    topic = parse_topic("floorlink/s1/bridge/edge-1/committed")
    assert topic is not None
    decoded = decode_committed(topic, Fields(payload))
    assert (decoded.committed, decoded.refused) == ((), (refused,))


def test_refused_events_leave_the_spool_and_show_in_the_devices_list(
    tmp_path: Path,
    hw_settings: Callable[..., Any],
    hw_site: str,
    mosquitto: MosquittoBroker,
    server_factory: Callable[..., Server],
    serial_pty: Callable[..., Any],
    admin_key_for: Callable[..., Any],
) -> None:
    server = server_factory(hw_settings(devices=DEVICES))
    wait_for(lambda: server.connected, 15, "the server on the broker")
    own, other = serial_pty("scan-own"), serial_pty("scan-other")
    config = BridgeConfig(
        bridge_id="edge-1",
        site=hw_site,
        mqtt_url=mosquitto.url,
        spool_path=str(tmp_path / "spool.db"),
        scanners=(ScannerConfig("scan-own", own.path), ScannerConfig("scan-other", other.path)),
    )
    bridge = Bridge(config, reconnect=(0.1, 0.5))
    bridge.start()
    try:
        wait_for(lambda: bridge.client.is_connected, 15, "the bridge on the broker")
        time.sleep(0.5)  # the readers have opened their ports
        for _ in range(3):
            other.write(b"4006381333931\r")
            own.write(b"96385074\r")
            time.sleep(0.05)

        wait_for(lambda: bridge.spool.count() == 0, 15, "the spool did not empty")
        with connection():
            ids = sorted(row.event_id for row in HardwareInput.select())
        assert [i.split(":")[0] for i in ids] == ["scan-own"] * 3  # refused ones not taken in

        def bridge_spool() -> dict[str, Any]:
            rows = {row["id"]: row for row in admin_key_for(server)["data"]}
            return dict((rows.get("edge-1") or {}).get("state") or {}).get("spool") or {}

        wait_for(lambda: bridge_spool().get("refused") == 3, 15, "the status shows no refusals")
        spool = bridge_spool()
        assert spool["events"] == 0
        assert "scan-other" in spool["last_refused"]
        assert "behind bridge edge-2" in spool["last_refused"]
        refusals = server.stats["malformed"]  # counted and logged by the server as before
        assert refusals >= 3  # the 3 events (and the device's availability)

        time.sleep(2.0)  # nothing is resent: the server saw each refused event once
        assert server.stats["malformed"] == refusals
    finally:
        bridge.stop()
