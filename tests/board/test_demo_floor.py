"""`floorlink demo` runs a simulated floor beside the demo site, so a newcomer opening the
board sees it move: the simulated pickers pick the orders its OMS keeps sending, the probes
send readings over the demo's own Mosquitto; `--no-simulation` leaves the floor still."""

from __future__ import annotations

import os
import re
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.fixtures.mosquitto import free_port, mosquitto_binary

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
FLOORLINK = str(ROOT / ".venv" / "bin" / "floorlink")


def run_demo(tmp_path: Path, *flags: str) -> tuple[subprocess.Popen[str], list[str], str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLOORLINK_")}
    process = subprocess.Popen(
        [FLOORLINK, "demo", "--db", str(tmp_path / "demo.db"), "--port", str(port), *flags],
        cwd=ROOT,
        env={**env, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    out: list[str] = []
    threading.Thread(target=lambda: out.extend(process.stdout or []), daemon=True).start()
    return process, out, f"http://127.0.0.1:{port}"


def wait_for(condition: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = condition()
        except requests.RequestException:
            value = None
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)
    time.sleep(0.2)  # the reader thread reads the pipe to its end
    if process.stdout is not None:
        process.stdout.close()


def test_the_demo_floor_moves(tmp_path: Path) -> None:
    mosquitto_binary()  # the simulated devices need a broker of their own
    process, out, base = run_demo(tmp_path)
    try:
        key = wait_for(
            lambda: (m := re.search(r"Admin key:\s+(\S+)", "".join(out))) and m.group(1),
            60,
            "the demo's keys",
        )
        auth = {"Authorization": f"Bearer {key}"}
        wait_for(lambda: requests.get(f"{base}/api/v1/health", timeout=5).ok, 60, "serving")
        assert "Simulated floor (off with --no-simulation)" in "".join(out)

        def picks() -> int:
            r = requests.get(
                f"{base}/api/v1/events", params={"types": "pick.confirmed"}, headers=auth, timeout=5
            )
            actors = {e["actor"] for e in r.json()["data"]}
            return sum(a.startswith("operator:SIM-") for a in actors)

        assert wait_for(picks, 90, "the simulated pickers' picks") >= 1
        readings = wait_for(
            lambda: requests.get(
                f"{base}/api/v1/devices/probe-fridge-1/readings", headers=auth, timeout=5
            ).json()["data"],
            60,
            "the fridge probe's readings",
        )
        assert 2.0 <= readings[0]["min_c"] <= 8.0
    finally:
        stop(process)


def test_no_simulation_leaves_the_floor_still(tmp_path: Path) -> None:
    process, out, base = run_demo(tmp_path, "--no-simulation")
    try:
        wait_for(lambda: requests.get(f"{base}/api/v1/health", timeout=5).ok, 60, "serving")
        assert "Simulated floor" not in "".join(out)
    finally:
        stop(process)
