"""kill -9 of the bridge process with unacked events in its spool loses nothing."""

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.fixtures.mosquitto import free_port
from tests.fixtures.mqtt_probe import Received

ROOT = Path(__file__).resolve().parents[2]


def write_config(path: Path, mqtt_url: str, spool: Path, scanner_port: str) -> Path:
    path.write_text(
        f'bridge_id = "edge-crash"\nsite = "main"\nmqtt_url = "{mqtt_url}"\n'
        f'spool_path = "{spool}"\n\n[[scanners]]\nid = "scanner-1"\nport = "{scanner_port}"\n'
    )
    return path


class BridgeProcess:
    """``python -m firmware_bridge.main --config ...`` with its log collected."""

    def __init__(self, config: Path) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "firmware_bridge.main", "--config", str(config)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.log: list[str] = []
        self._reader = threading.Thread(target=self._collect)
        self._reader.start()

    def _collect(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.log.append(line)

    def wait_for_log(self, text: str, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.log):
            assert self.process.poll() is None, "".join(self.log)
            assert time.monotonic() < deadline, "".join(self.log[-20:])
            time.sleep(0.02)

    def finish(self, sig: int) -> int:
        self.process.send_signal(sig)
        code = self.process.wait(10)
        self._reader.join(5)
        assert self.process.stderr is not None
        self.process.stderr.close()
        return code


def spooled(spool: Path) -> int:
    with sqlite3.connect(spool) as db:
        count = int(db.execute("SELECT count(*) FROM spool").fetchone()[0])
    db.close()
    return count


def test_kill_9_with_unacked_events_then_restart_publishes_them_as_historical(
    tmp_path: Path, mosquitto, mqtt_probe, serial_pty, server_confirmer
) -> None:
    device = serial_pty("scanner-1")
    spool = tmp_path / "spool.db"
    offline = write_config(
        tmp_path / "offline.toml", f"mqtt://127.0.0.1:{free_port()}", spool, device.path
    )
    first = BridgeProcess(offline)  # no broker: everything stays in the spool
    first.wait_for_log("scanner-1 is online")
    codes = [f"TOTE-{i:04d}" for i in range(20)]
    for code in codes:
        device.write(code.encode() + b"\r")
    deadline = time.monotonic() + 10
    while spooled(spool) < len(codes):
        assert time.monotonic() < deadline, "".join(first.log[-20:])
        time.sleep(0.02)
    assert first.finish(signal.SIGKILL) == -signal.SIGKILL

    probe = mqtt_probe(mosquitto.url, "floorlink/main/#")
    server_confirmer(mosquitto.url)
    second = BridgeProcess(write_config(tmp_path / "edge.toml", mosquitto.url, spool, device.path))

    def replayed(messages: list[Received]) -> bool:
        return len({m.json()["event_id"] for m in messages if "/event/scan" in m.topic}) == 20

    probe.wait(replayed, timeout=15)
    events = [m.json() for m in probe.on("device/scanner-1/event/scan")]
    assert [e["data"]["raw"] for e in events][:20] == codes
    assert all(e["historical"] for e in events)
    birth = [
        m.json() for m in probe.on("bridge/edge-crash/status") if m.json()["state"] == "online"
    ]
    assert {e["session"] for e in events}.isdisjoint({b["session"] for b in birth})
    device.write(b"TOTE-LIVE\r")
    probe.wait(lambda _: any(m.json()["data"]["raw"] == "TOTE-LIVE" for m in probe.on("/scan")))
    live = [m.json() for m in probe.on("/event/scan")][-1]
    assert live["historical"] is False and live["seq"] == 1
    deadline = time.monotonic() + 10
    while spooled(spool):  # until the server (here its stand-in) confirmed all 21
        assert time.monotonic() < deadline, "".join(second.log[-20:])
        time.sleep(0.02)
    assert second.finish(signal.SIGTERM) == 0
    last_status = probe.on("bridge/edge-crash/status")[-1].json()
    assert last_status["state"] == "offline"
