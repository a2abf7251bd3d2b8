"""A full disk under a real `floorlink serve` (issue 16, docs/reliability.md "A full disk").

The SQLite database (WAL) lives on a small tmpfs the test mounts; a filler file takes every
byte left. While it is full: the OMS API answers 503 problem+json "Storage full" with
Retry-After (never 500, never 201), a picker's kiosk input over HTTP answers the current
screen with error feedback (the kiosk's error sound) and no step, the MQTT ingest and the
webhook relay log and retry, the process stays up. Once the filler is removed everything
resumes by itself, without a restart: the same requests succeed, the held MQTT events
commit, webhooks flow. After kill -9 the file passes `PRAGMA integrity_check` and holds
every answer that was an acknowledgement, and none that was a refusal.

Needs `mount` (root, as on the CI machine); skipped with the reason elsewhere. PostgreSQL's
disk_full (53100) maps the same way (tests/server/test_storage_errors.py); its own full disk
is not caused here.
"""

from __future__ import annotations

import contextlib
import sqlite3
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from server import db, migrations
from server.api import keys
from server.areas import load_settings
from server.bootstrap import build_runtime
from server.floor import operators
from server.floor.kiosks import AddKiosk
from server.models import Order, ProcessedInput, WebhookDelivery
from server.models.hardware import HardwareInput
from server.spine import SYSTEM
from server.sync.endpoints import CreateEndpoint
from tests.fixtures.database import on_postgres
from tests.fixtures.mosquitto import MosquittoBroker, mosquitto_factory  # noqa: F401
from tests.fixtures.site import LOCATIONS, PRODUCTS
from tests.fixtures.site_parts import Serve, wait_until
from tests.hardware.conftest import Publisher
from tests.picking.live import FLOOR, Http
from tests.sync.receiver import Receiver

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        on_postgres, reason="the full disk is SQLite's own file on a tmpfs: run on the SQLite pass"
    ),
]

SIZE = "16m"
STOCK = [{"sku": "MUG", "location": "A-01-01-1", "delta": 100, "reason": "count"}]
PROBE = "probe-full-disk"
ORDERS = f'"{Order._meta.table_name}"'
INPUTS = f'"{ProcessedInput._meta.table_name}"'
READINGS = f'"{HardwareInput._meta.table_name}"'
DELIVERIES = f'"{WebhookDelivery._meta.table_name}"'


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path]:
    """A tmpfs of SIZE mounted for this test (skipped where mounting is not allowed)."""
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={SIZE}", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        reason = done.stderr.strip() or f"exit status {done.returncode}"
        pytest.skip(f"cannot mount a small tmpfs here ({reason}); needs root, as on CI")
    try:
        yield mount
    finally:
        if subprocess.run(["umount", str(mount)], capture_output=True, check=False).returncode:
            subprocess.run(["umount", "-l", str(mount)], check=False)  # a straggler holds it


def fill(directory: Path) -> Path:
    """Write a filler file until the filesystem refuses one more byte."""
    filler = directory / "filler"
    with filler.open("wb", buffering=0) as out:
        for chunk in (1 << 20, 4096, 1):
            with contextlib.suppress(OSError):
                while True:
                    out.write(b"\0" * chunk)
    return filler


@pytest.fixture
def site(small_fs: Path, tmp_path: Path, mosquitto_factory: Any) -> Iterator[dict[str, Any]]:  # noqa: F811
    """Database on the small filesystem, an operator, a kiosk, a webhook endpoint, an OMS
    key; a private Mosquitto; `floorlink serve` with MQTT ingest and the relay on."""
    broker: MosquittoBroker = mosquitto_factory()
    url = f"sqlite:///{small_fs / 'floorlink.db'}"
    site_name = f"full-{uuid.uuid4().hex[:6]}"
    config = tmp_path / "floorlink.toml"
    config.write_text(
        f'database_url = "{url}"\nsecret_key = "test"\nsite = "{site_name}"\n'
        f'mqtt_url = "{broker.url}"\n'
        f'[mqtt]\nclient_id = "floorlink-{site_name}"\n'
        "[relay]\npoll_interval_s = 0.2\ntimeout_s = 1\n"
    )
    database = db.bind(url)
    migrations.upgrade()
    receiver = Receiver().start()
    spine = build_runtime(load_settings(config, env={})).spine
    with database.connection_context():
        oms_key = keys.create("oms", "oms").secret
        pin = operators.new_pin_hash("1234")
        spine.execute(operators.AddOperator("P-1", "Pia", ("picker",), pin), SYSTEM)
        code = spine.execute(AddKiosk("HH-1", "handheld", None, 900.0), SYSTEM).result
        endpoint = spine.execute(CreateEndpoint(receiver.url, ["order.*"]), SYSTEM).result
    receiver.secrets.append(endpoint["secret"])
    database.close_all()
    serve = Serve("serve", tmp_path, config).start()
    try:
        serve.wait_healthy()
        yield {
            "dir": small_fs,
            "url": url,
            "serve": serve,
            "oms": Http(serve.base, oms_key),
            "code": code["enrollment_code"],
            "receiver": receiver,
            "publisher": Publisher(broker.url, site_name),
        }
    finally:
        serve.kill()
        receiver.stop()
        database.close_all()


def order(external_id: str) -> dict[str, Any]:
    return {
        "external_id": external_id,
        "channel": "web",
        "lines": [{"line_id": "1", "sku": "MUG", "qty": 1}],
    }


def post_order(oms: Http, external_id: str) -> requests.Response:
    return oms.http.post(
        f"{oms.base}/orders",
        json=order(external_id),
        headers={"Idempotency-Key": external_id},
        timeout=30,
    )


def kiosk(base: str, code: str) -> tuple[requests.Session, str]:
    http = requests.Session()
    r = http.post(f"{base}{FLOOR}/enroll", json={"code": code}, timeout=10)
    assert r.status_code == 201, r.text
    http.headers["X-Device-Token"] = r.json()["device_token"]
    r = http.post(f"{base}{FLOOR}/sessions", json={"badge": "P-1", "pin": "1234"}, timeout=10)
    assert r.status_code == 201, r.text
    http.headers["Authorization"] = f"Bearer {r.json()['token']}"
    return http, str(r.json()["session_id"])


def read(url: str, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    """A query on the database file from this process (read only: a full disk allows it)."""
    path = url.removeprefix("sqlite:///")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def test_a_full_disk_refuses_clearly_keeps_what_it_acknowledged_and_resumes_by_itself(
    site: dict[str, Any],
) -> None:
    oms, serve, receiver, publisher = (
        site["oms"],
        site["serve"],
        site["receiver"],
        site["publisher"],
    )
    assert oms.put("/products", {"products": PRODUCTS}).status_code == 200
    assert oms.put("/locations", {"locations": LOCATIONS}).status_code == 200
    assert oms.post("/stock/adjustments", {"adjustments": STOCK}).status_code == 200
    http, session_id = kiosk(serve.base, site["code"])
    inputs = f"{serve.base}{FLOOR}/sessions/{session_id}/inputs"
    # The first webhook is held by the receiver until the disk is full: the relay has sent
    # it and must record the answer on a full disk.
    arrived, filled = threading.Event(), threading.Event()

    def hold_the_first(_received: Any) -> int:
        if not filled.is_set():
            arrived.set()
            filled.wait(10)
        return 200

    receiver.script = hold_the_first
    assert post_order(oms, "FULL-0").status_code == 201
    assert arrived.wait(10), "the relay did not send the first webhook"

    filler = fill(site["dir"])
    filled.set()
    # The OMS: 503 problem+json "Storage full" with Retry-After, nothing applied.
    refused = [f"FULL-{i}" for i in range(1, 4)]
    for external_id in refused:
        r = post_order(oms, external_id)
        assert r.status_code == 503, r.text
        assert r.headers["Content-Type"] == "application/problem+json"
        assert r.json()["title"] == "Storage full"
        assert r.json()["type"].endswith("/storage-full")
        assert int(r.headers["Retry-After"]) > 0
    # The floor: the current screen with error feedback (the error sound), not the next step.
    r = http.post(inputs, json={"input_id": "full-1", "action": "pick"}, timeout=30)
    assert r.status_code == 200, r.text
    screen = r.json()["screen"]
    assert screen["name"] == "home"
    assert screen["feedback"]["level"] == "error"
    assert "Storage full" in screen["feedback"]["message"]
    # MQTT ingest: events the server cannot commit are held (not acked), retried.
    for seq in (1, 2, 3):
        publisher.event(PROBE, "temperature", seq, {"celsius": 4.0 + seq})
    publisher.settle()
    wait_until(
        lambda: "relay delivery failed" in serve.tail(10**6), 10, "the relay meeting the full disk"
    )
    time.sleep(1.0)  # the ingest retries a few times, the relay's lease runs out
    assert serve.alive(), serve.tail()
    assert not read(site["url"], f"SELECT 1 FROM {ORDERS} WHERE external_id IN (?, ?, ?)", *refused)
    assert not read(site["url"], f'SELECT 1 FROM {INPUTS} WHERE "key" LIKE ?', "%full-1")

    filler.unlink()
    # Service resumes by itself: the same requests succeed, no restart.
    for external_id in refused:
        r = post_order(oms, external_id)
        assert r.status_code == 201, r.text
    r = http.post(inputs, json={"input_id": "full-2", "action": "pick"}, timeout=30)
    assert r.status_code == 200, r.text
    assert r.json()["screen"]["name"] == "pick.scan_tote"
    assert r.json()["screen"]["feedback"] is None
    wait_until(
        lambda: read(site["url"], f"SELECT COUNT(*) FROM {READINGS}")[0][0] == 3,
        15,
        "the held MQTT events committed after the space came back",
    )
    wanted = {f"FULL-{i}" for i in range(4)}
    undelivered = f"SELECT COUNT(*) FROM {DELIVERIES} WHERE status != 'delivered'"
    wait_until(
        lambda: read(site["url"], undelivered)[0][0] == 0,
        15,
        "every webhook delivered and recorded after the space came back",
    )
    delivered = [r.event.get("data", {}).get("external_id") for r in receiver.accepted]
    assert set(delivered) == wanted  # the first one twice (its answer was not recorded)
    assert serve.alive(), serve.tail()
    assert "unhandled error" not in serve.tail(10**7)  # no 500 at any time

    serve.kill()  # kill -9, as a power cut would
    assert read(site["url"], "PRAGMA integrity_check") == [("ok",)]
    stored = {row[0] for row in read(site["url"], f"SELECT external_id FROM {ORDERS}")}
    assert stored == wanted  # every 201, each once
    keys_stored = {row[0] for row in read(site["url"], f'SELECT "key" FROM {INPUTS}')}
    assert f"floor:{session_id}:full-2" in keys_stored  # the acknowledged input
    assert f"floor:{session_id}:full-1" not in keys_stored  # the refused one: not remembered
