"""`floorlink serve` as a real process: it serves the API, and what it acknowledged survives
kill -9."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from server import db
from server.api import keys
from server.models import Order, Stock
from tests.fixtures.site import LOCATIONS, PRODUCTS

pytestmark = pytest.mark.slow
FLOORLINK = str(Path(sys.executable).parent / "floorlink")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def call(
    port: int, method: str, path: str, key: str, body: object = None, **headers: str
) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        payload = json.dumps(body) if body is not None else None
        all_headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        conn.request(method, path, payload, all_headers | headers)
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        conn.close()


@pytest.fixture
def server(db_url: str, tmp_path: Path) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    port = free_port()
    env = os.environ | {
        "FLOORLINK_DATABASE_URL": db_url,
        "FLOORLINK_SECRET_KEY": "test",
        "FLOORLINK_RELAY__ENABLED": "false",
        "FLOORLINK_MQTT__ENABLED": "false",
    }
    env.pop("FLOORLINK_CONFIG", None)
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen(
        [FLOORLINK, "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: arbiter and worker die together
    )
    try:
        _wait_healthy(port, proc)
        yield port, proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
        log.close()


def _wait_healthy(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert proc.poll() is None, "floorlink serve exited"
        try:
            if call(port, "GET", "/api/v1/health", "")[0] == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("floorlink serve did not answer")


def test_acknowledged_order_survives_kill_9(
    server: tuple[int, subprocess.Popen[bytes]], db_url: str
) -> None:
    port, proc = server
    with db.database.connection_context():
        key = keys.create("kill-test", "oms").secret
    assert call(port, "PUT", "/api/v1/products", key, {"products": PRODUCTS})[0] == 200
    assert call(port, "PUT", "/api/v1/locations", key, {"locations": LOCATIONS})[0] == 200
    adjust = {"adjustments": [{"sku": "MUG", "location": "A-01-01-1", "delta": 5, "reason": "c"}]}
    assert call(port, "POST", "/api/v1/stock/adjustments", key, adjust)[0] == 200
    order = {
        "external_id": "K-1",
        "channel": "web",
        "lines": [{"line_id": "1", "sku": "MUG", "qty": 2}],
    }
    status, body = call(port, "POST", "/api/v1/orders", key, order, **{"Idempotency-Key": "k"})
    assert status == 201 and body["status"] == "accepted"

    os.killpg(proc.pid, signal.SIGKILL)  # arbiter and worker, as a power cut would
    proc.wait(10)
    database = db.bind(db_url)
    with database.connection_context():
        assert Order.get(Order.external_id == "K-1").status == "accepted"
        assert Stock.get().reserved == 2


def _worker_pid(master: int) -> int:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    assert len(children) == 1, children
    return int(children[0])


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two CPUs to choose from")
def test_the_worker_and_every_thread_it_starts_run_on_one_cpu(
    server: tuple[int, subprocess.Popen[bytes]],
) -> None:
    port, proc = server
    for _ in range(3):  # requests start the worker's request threads
        assert call(port, "GET", "/api/v1/health", "")[0] == 200
    worker = _worker_pid(proc.pid)
    threads = [int(tid) for tid in os.listdir(f"/proc/{worker}/task")]
    assert len(threads) > 2
    last = max(os.sched_getaffinity(0))
    assert {tid: os.sched_getaffinity(tid) for tid in threads} == {t: {last} for t in threads}
    assert os.sched_getaffinity(proc.pid) == os.sched_getaffinity(0)  # the arbiter: untouched


def test_a_cpu_the_server_may_not_use_is_refused_before_it_starts(db_url: str) -> None:
    env = os.environ | {
        "FLOORLINK_DATABASE_URL": db_url,
        "FLOORLINK_SECRET_KEY": "test",
        "FLOORLINK_SERVER__CPU": "4096",
        "FLOORLINK_SERVER__PORT": str(free_port()),
    }
    env.pop("FLOORLINK_CONFIG", None)
    done = subprocess.run([FLOORLINK, "serve"], env=env, capture_output=True, timeout=60)
    assert done.returncode != 0
    assert b"server.cpu = 4096: this process may run on CPUs" in done.stderr
