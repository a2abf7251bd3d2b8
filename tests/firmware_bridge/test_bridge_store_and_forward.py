import threading
import time
from collections.abc import Callable

from devices.serial_scanner import ScannerConfig
from tests.fixtures.mqtt_probe import Received


def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def wait_online(probe, device_id: str, session: str) -> None:
    """Wait for this session's availability (the broker may hold an older retained one)."""

    def online(_: list[Received]) -> bool:
        states = [m.json() for m in probe.on(f"device/{device_id}/availability")]
        return {"state": "online", "session": session} in [
            {"state": s["state"], "session": s["session"]} for s in states
        ]

    probe.wait(online)


def first_seen(messages: list[Received]) -> dict[str, list[dict]]:
    """Events per device, de-duplicated by event_id (first delivery wins), in arrival order."""
    seen: set[str] = set()
    per_device: dict[str, list[dict]] = {}
    for message in messages:
        if "/event/" not in message.topic:
            continue
        event = message.json()
        if event["event_id"] in seen:
            continue
        seen.add(event["event_id"])
        per_device.setdefault(event["device_id"], []).append(event)
    return per_device


def test_a_scan_is_published_with_the_envelope_birth_and_availability(
    mosquitto, mqtt_probe, serial_pty, run_bridge, server_confirmer
) -> None:
    device = serial_pty("scanner-1")
    probe = mqtt_probe(mosquitto.url, "floorlink/main/#")
    server_confirmer(mosquitto.url)
    bridge = run_bridge(mosquitto.url, scanners=(ScannerConfig("scanner-1", device.path),))
    wait_online(probe, "scanner-1", bridge.session)
    device.write(b"]C10109501101530003\x1d10LOT-7\r4006381333931\r")
    probe.wait(lambda _: len(probe.on("/event/scan")) == 2)
    first, second = (m.json() for m in probe.on("/event/scan"))
    assert first["data"] == {"raw": "]C10109501101530003\x1d10LOT-7"}
    assert (first["seq"], second["seq"]) == (1, 2)
    assert first["event_id"] == f"scanner-1:{bridge.session}:1"
    assert (first["v"], first["historical"], first["device_id"]) == (1, False, "scanner-1")
    assert first["bridge"] == "edge-1"
    births = [m.json() for m in probe.on("bridge/edge-1/status")]
    assert {"state": "online", "session": bridge.session} in [
        {"state": b["state"], "session": b["session"]} for b in births
    ]
    available = probe.on("device/scanner-1/availability")[-1].json()
    assert (available["state"], available["bridge"]) == ("online", "edge-1")
    wait_until(lambda: bridge.spool.count() == 0)  # once the server confirmed them


def test_events_stay_spooled_until_the_server_confirms_not_the_broker(
    mosquitto, mqtt_probe, serial_pty, run_bridge, server_confirmer
) -> None:
    device = serial_pty("scanner-1")
    probe = mqtt_probe(mosquitto.url, "floorlink/main/device/+/event/#")
    bridge = run_bridge(mosquitto.url, scanners=(ScannerConfig("scanner-1", device.path),))
    wait_until(lambda: bridge.scanners[0].status == "online" and bridge.client.is_connected)
    device.write(b"TOTE-0001\rTOTE-0002\r")
    probe.wait(lambda _: len(probe.on("/event/scan")) >= 2)
    wait_until(lambda: bridge.client.inflight == 0)  # the broker's PUBACKs are in
    time.sleep(0.3)
    assert bridge.spool.count() == 2  # ... and that is not enough
    confirmer = server_confirmer(mosquitto.url)  # the server comes: it confirms
    bridge.forwarder.republish()  # as on its birth (tests/hardware has the real one)
    confirmer.wait(lambda: confirmer.raw("scanner-1") == ["TOTE-0001", "TOTE-0002"])
    wait_until(lambda: bridge.spool.count() == 0)


def test_a_full_spool_keeps_the_oldest_refuses_the_newest_and_says_so(
    tmp_path, mosquitto, mqtt_probe, serial_pty, server_confirmer
) -> None:
    from firmware_bridge.bridge import Bridge
    from firmware_bridge.config import BridgeConfig

    device = serial_pty("scanner-1")
    status = mqtt_probe(mosquitto.url, "floorlink/main/bridge/edge-full/status")
    config = BridgeConfig(
        bridge_id="edge-full",
        site="main",
        mqtt_url=mosquitto.url,
        spool_path=str(tmp_path / "full.db"),
        spool_capacity=3,
        scanners=(ScannerConfig("scanner-1", device.path),),
    )
    bridge = Bridge(config, reconnect=(0.1, 0.5))
    bridge.start()
    try:
        wait_until(lambda: bridge.scanners[0].status == "online" and bridge.client.is_connected)
        for n in range(5):
            device.write(f"TOTE-{n}\r".encode())
        wait_until(lambda: bridge._refused == 2)
        assert bridge.spool.count() == 3
        spool = lambda: [m.json().get("spool") for m in status.messages]  # noqa: E731
        status.wait(lambda _: {"events": 3, "capacity": 3, "full": True} in spool())
        confirmer = server_confirmer(mosquitto.url)
        bridge.forwarder.republish()
        confirmer.wait(lambda: confirmer.raw("scanner-1") == ["TOTE-0", "TOTE-1", "TOTE-2"])
        wait_until(lambda: bridge.spool.count() == 0)
        status.wait(lambda _: spool()[-1] == {"events": 0, "capacity": 3, "full": False})
        device.write(b"TOTE-AFTER\r")  # room again: taken, with the next seq (no gap)
        confirmer.wait(lambda: confirmer.raw("scanner-1")[-1:] == ["TOTE-AFTER"])
        assert [e.seq for e in confirmer.applied["scanner-1"]] == [1, 2, 3, 4]
    finally:
        bridge.stop()


def test_a_bad_scan_is_published_as_scan_error_never_as_scan(
    mosquitto, mqtt_probe, serial_pty, run_bridge
) -> None:
    device = serial_pty("scanner-1")
    probe = mqtt_probe(mosquitto.url, "floorlink/main/device/scanner-1/#")
    bridge = run_bridge(mosquitto.url, scanners=(ScannerConfig("scanner-1", device.path),))
    wait_online(probe, "scanner-1", bridge.session)
    device.write(b"4006381333932\r\xff\xfe\x80\r")
    probe.wait(lambda _: len(probe.on("/event/scan_error")) == 2)
    assert probe.on("/event/scan") == []
    assert probe.on("/event/scan_error")[0].json()["data"]["error"] == (
        "Bad check digit in GTIN 4006381333932: expected 1"
    )


def test_broker_killed_while_scanning_loses_nothing_and_keeps_order(
    mosquitto_factory, serial_pty, run_bridge, server_confirmer
) -> None:
    """Nothing lost is judged where the guarantee is, at the server (the confirmer): a
    bystander subscriber is not. Its copies of events the server had already confirmed
    (so the bridge dropped them) die with the broker when they were queued after the last
    autosave; that is MQTT, and no subscriber but the server is promised anything."""
    broker = mosquitto_factory()
    confirmer = server_confirmer(broker.url, client_id="server-confirmer")
    time.sleep(1.5)  # the broker autosaves the server's persistent session
    devices = [serial_pty(f"scanner-{n}") for n in (1, 2)]
    scanners = tuple(ScannerConfig(f"scanner-{n}", d.path) for n, d in enumerate(devices, 1))
    bridge = run_bridge(broker.url, scanners=scanners)
    wait_until(lambda: all(reader.status == "online" for reader in bridge.scanners))
    count = 300

    def scan_steadily() -> None:
        for i in range(count):
            for device in devices:
                device.write(f"TOTE-{i:05d}\r".encode())
            time.sleep(0.003)

    writer = threading.Thread(target=scan_steadily)
    writer.start()
    time.sleep(0.4)
    broker.kill()
    time.sleep(0.5)  # an outage: the bridge spools meanwhile
    broker.restart()
    writer.join()

    expected = [f"TOTE-{i:05d}" for i in range(count)]
    # Applied as the server applies them: once each, in seq order (a gap is resent).
    confirmer.wait(lambda: all(len(confirmer.raw(f"scanner-{n}")) == count for n in (1, 2)), 45)
    for n in (1, 2):
        assert confirmer.raw(f"scanner-{n}") == expected
        assert [e.seq for e in confirmer.applied[f"scanner-{n}"]] == list(range(1, count + 1))
    wait_until(lambda: bridge.spool.count() == 0, timeout=15)


def test_a_publish_the_broker_refuses_stays_spooled_until_the_acl_allows_it(
    tmp_path, mosquitto_factory, mqtt_probe, serial_pty, run_bridge, server_confirmer
) -> None:
    acl = tmp_path / "floorlink.acl"
    acl.write_text("topic readwrite floorlink/main/bridge/#\ntopic read #\n")
    broker = mosquitto_factory(f"acl_file {acl}\n")
    probe = mqtt_probe(broker.url, "floorlink/main/device/+/event/#")
    server_confirmer(broker.url)
    device = serial_pty("scanner-1")
    bridge = run_bridge(broker.url, scanners=(ScannerConfig("scanner-1", device.path),))
    wait_until(lambda: bridge.scanners[0].status == "online" and bridge.client.is_connected)
    device.write(b"TOTE-0001\r")
    wait_until(lambda: bridge.spool.count() == 1)
    time.sleep(0.5)  # refused (PUBACK 0x87 Not authorized) and retried: still spooled
    assert bridge.spool.count() == 1 and probe.messages == []
    acl.write_text("topic readwrite floorlink/main/#\n")
    broker.reload()
    probe.wait(lambda msgs: len(msgs) >= 1, timeout=10)
    assert probe.messages[0].json()["data"] == {"raw": "TOTE-0001"}
    wait_until(lambda: bridge.spool.count() == 0)
