import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from devices import mqtt_topics as topics
from devices.mqtt_client import MqttClient, MqttSettings
from devices.mtsics import Weight
from devices.payloads import command_payload, encode
from devices.serial_scale import ScaleConfig, SerialScaleReader
from devices.serial_scanner import ScannerConfig, ScannerEvent, SerialScannerReader
from devices.simulate import ScriptError, Simulator, SimulatorConfig, load_script

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def simulator(mosquitto, tmp_path: Path):
    config = SimulatorConfig(mqtt_url=mosquitto.url, site="sim", link_dir=tmp_path / "by-id")
    sim = Simulator(config)
    sim.start()
    assert sim.hub.client.wait_connected(5)
    yield sim
    sim.stop()


def test_scripted_scans_and_weights_reach_serial_readers(simulator: Simulator) -> None:
    scans: list[ScannerEvent] = []
    weights: list[object] = []
    path = simulator.serial_paths()["scanner-1"]
    assert "usb-Floorlink_Simulated_scanner-1" in path
    scanner = SerialScannerReader(ScannerConfig("scanner-1", path), scans.append)
    scale = SerialScaleReader(
        ScaleConfig("scale-1", simulator.serial_paths()["scale-1"], poll_interval=0.05),
        lambda _id, reading: weights.append(reading),
    )
    scanner.start()
    scale.start()
    try:
        while scanner.status != "online":
            time.sleep(0.01)
        simulator.play(["scan", "scanner-1", "]C10109501101530003\x1d10LOT"])
        simulator.play(["weigh", "scale-1", "1234.5"])
        deadline = time.monotonic() + 5
        while (not scans or Weight(1234.5, True) not in weights) and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        scanner.stop()
        scale.stop()
    assert scans[0].scan.gtin == "09501101530003" and scans[0].scan.lot == "LOT"
    assert Weight(1234.5, True) in weights


def test_mqtt_devices_publish_state_events_and_answer_commands(
    simulator: Simulator, mosquitto, mqtt_probe
) -> None:
    probe = mqtt_probe(mosquitto.url, "floorlink/sim/#")
    for step in ("door dock-2 open", "temp probe-1 4.2", "press ptl-1 confirm"):
        simulator.play(step.split())
    probe.wait(lambda _: bool(probe.on("ptl-1/event/press")))
    assert probe.on("dock-2/state")[-1].json() == {"open": True}
    assert probe.on("dock-2/event/door")[0].json()["data"] == {"open": True}
    assert probe.on("probe-1/state")[-1].json() == {"celsius": 4.2}
    press = probe.on("ptl-1/event/press")[0].json()
    assert (press["data"], press["seq"], press["device_id"]) == ({"button": "confirm"}, 1, "ptl-1")
    assert probe.on("bridge/simulator/status")[-1].json()["state"] == "online"

    server = MqttClient(MqttSettings(url=mosquitto.url, client_id="sim-test-server"))
    server.start()
    try:
        assert server.wait_connected(5)
        show = encode(command_payload("c-ok", {"text": "2", "color": "blue", "qty": 2}))
        late = encode(command_payload("c-late", {"text": "9"}, expires_at=time.time() - 1))
        server.publish(topics.command("sim", "ptl-1", "show"), late)
        server.publish(topics.command("sim", "ptl-1", "show"), show)
        probe.wait(lambda _: len(probe.on("ptl-1/cmd/show/reply")) == 2)
    finally:
        server.stop()
    statuses = {m.json()["cmd_id"]: m.json()["status"] for m in probe.on("/reply")}
    assert statuses == {"c-late": "expired", "c-ok": "ok"}
    assert simulator.hub.light_states["ptl-1"] == {
        "lit": True,
        "text": "2",
        "color": "blue",
        "qty": 2,
    }


def test_unplug_and_replug_steps(simulator: Simulator) -> None:
    statuses: list[str] = []
    path = simulator.serial_paths()["scanner-2"]
    reader = SerialScannerReader(
        ScannerConfig("scanner-2", path), lambda e: None, on_status=lambda *a: statuses.append(a[1])
    )
    reader.start()
    try:
        for step, expected in (("unplug", "offline"), ("replug", "online")):
            while statuses[-1:] != ["online" if step == "unplug" else "offline"]:
                time.sleep(0.01)
            simulator.play([step, "scanner-2"])
            deadline = time.monotonic() + 10
            while statuses[-1:] != [expected] and time.monotonic() < deadline:
                time.sleep(0.01)
    finally:
        reader.stop()
    assert statuses == ["online", "offline", "online"]


@pytest.mark.parametrize(
    "step",
    [
        ["scan", "scanner-9", "X"],
        ["weigh", "scale-1", "heavy"],
        ["dance"],
        ["door", "dock-1", "ajar"],
    ],
)
def test_bad_steps_are_script_errors(simulator: Simulator, step: list[str]) -> None:
    with pytest.raises(ScriptError, match="step"):
        simulator.play(step)


def test_load_script_reads_toml_and_json(tmp_path: Path) -> None:
    toml = tmp_path / "demo.toml"
    toml.write_text('steps = ["scan scanner-1 \\"]C10109501101530003\\u001d10A\\"", "sleep 0.5"]\n')
    assert load_script(toml) == [
        ["scan", "scanner-1", "]C10109501101530003\x1d10A"],
        ["sleep", "0.5"],
    ]
    script = tmp_path / "demo.json"
    script.write_text(json.dumps({"steps": ["door dock-2 open"]}))
    assert load_script(script) == [["door", "dock-2", "open"]]
    script.write_text('{"steps": "scan"}')
    with pytest.raises(ScriptError, match="expected steps"):
        load_script(script)


def test_the_entry_point_prints_paths_and_plays_a_script(mosquitto, tmp_path: Path) -> None:
    script = tmp_path / "demo.toml"
    script.write_text('steps = ["scan scanner-1 TOTE-0001", "temp probe-1 3.5", "sleep 0.1"]\n')
    command = [
        sys.executable,
        "-m",
        "devices.simulate",
        "--mqtt-url",
        mosquitto.url,
        "--site",
        "demo",
        "--scanners",
        "3",
        "--script",
        str(script),
        "--exit-after-script",
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    names = [line.split()[0] for line in result.stdout.splitlines()]
    assert names == ["scanner-1", "scanner-2", "scanner-3", "scale-1"]
    assert all(line.split()[1].startswith("/dev/pts/") for line in result.stdout.splitlines())


def test_run_simulator_stops_on_request(mosquitto) -> None:
    from devices.simulate import run_simulator

    stop = threading.Event()
    config = SimulatorConfig(mqtt_url=mosquitto.url, site="idle", scanners=1)
    runner = threading.Thread(target=run_simulator, args=(config, stop))
    runner.start()
    time.sleep(0.3)
    stop.set()
    runner.join(5)
    assert not runner.is_alive()


def test_the_simulator_talks_to_a_server_on_its_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run beside `floorlink serve` (or `make demo`) with no options: same broker, same site."""
    from devices.simulate import build_parser
    from server.config import Settings

    monkeypatch.delenv("FLOORLINK_SITE", raising=False)
    monkeypatch.delenv("FLOORLINK_MQTT_URL", raising=False)
    server = Settings.model_fields
    args = build_parser().parse_args([])
    assert args.site == SimulatorConfig().site == server["site"].default
    assert args.mqtt_url == SimulatorConfig().mqtt_url == server["mqtt_url"].default
