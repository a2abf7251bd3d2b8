"""The demo's own MQTT broker: a Mosquitto on a free loopback port, its files in
var/demo-mqtt/, so the simulated probes, doors and pick-to-light modules speak MQTT to the
server exactly as a floor's would. None when Mosquitto is not installed (the demo then runs
without MQTT devices and says so)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

CONFIG = """\
listener {port} 127.0.0.1
allow_anonymous true
persistence false
log_dest file {dir}/mosquitto.log
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class DemoBroker:
    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    @staticmethod
    def binary() -> str | None:
        found = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        return found if Path(found).exists() else None

    def start(self) -> DemoBroker | None:
        binary = self.binary()
        if binary is None:
            return None
        self.dir.mkdir(parents=True, exist_ok=True)
        config = self.dir / "mosquitto.conf"
        config.write_text(CONFIG.format(port=self.port, dir=self.dir))
        self.process = subprocess.Popen(  # noqa: S603 - our own config, a fixed binary
            [binary, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 5.0
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        return None

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
            self.process = None
