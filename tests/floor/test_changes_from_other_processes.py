"""Changes committed by another process (the CLI, a second server) reach the kiosks of a
running server: its floor sweeper reads them from the event log and pushes the screens
they change, within `floor.sweep_interval_s` (docs/kiosk.md). The CLI itself runs with the
TOML settings and its after-commit listeners, and pushes nothing (it holds no sockets)."""

from __future__ import annotations

import getpass
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import peewee
import pytest
import requests

from server.api import keys
from server.areas import load_settings
from server.bootstrap import build_runtime
from server.config import Settings
from server.floor import operators
from server.floor.kiosks import AddKiosk
from server.floor.service import CommittedElsewhere
from server.models import Event, FloorSession, PickBatch
from server.spine import SYSTEM, Spine, Unit
from tests.fixtures.areas import TEST_HANDLERS, WITH_TESTS, TestEvent
from tests.fixtures.site import LOCATIONS, PRODUCTS
from tests.picking.live import FLOOR, STOCK, Http, Picker
from tests.server.test_serve_process import free_port

FLOORLINK = str(Path(sys.executable).parent / "floorlink")
SWEEP_S = 0.5


# -- the log tail, in one process ---------------------------------------------------------


@dataclass(frozen=True)
class Happen:
    type: str
    name: str


@TEST_HANDLERS.handles(Happen)
def happen(cmd: Happen, unit: Unit) -> dict[str, Any]:
    unit.record(TestEvent(cmd.type, f"test:{cmd.name}", {}))
    return {}


def test_the_tail_gives_what_others_committed_since_it_started_in_one_query(
    settings: Settings, database: peewee.Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    here, there = build_runtime(settings, WITH_TESTS), build_runtime(settings, WITH_TESTS)
    tail = CommittedElsewhere({"test.wanted"})
    here.spine.subscribe(tail.committed_here, tail.types)

    def run(spine: Spine, type_: str, name: str) -> None:
        spine.execute(Happen(type_, name), SYSTEM)

    run(there.spine, "test.wanted", "history")
    tail.start()
    assert tail.new_events() == []  # history is never replayed
    run(there.spine, "test.wanted", "there-1")
    run(here.spine, "test.wanted", "here")  # handled here by its own listener: skipped
    run(there.spine, "test.other", "unwanted")
    run(there.spine, "test.wanted", "there-2")
    statements: list[str] = []
    execute_sql = database.execute_sql

    def counted(sql: str, *args: Any, **kwargs: Any) -> Any:
        statements.append(sql)
        return execute_sql(sql, *args, **kwargs)

    def look() -> list[tuple[str, str]]:
        statements.clear()
        monkeypatch.setattr(database, "execute_sql", counted)
        try:
            found = tail.new_events()
        finally:
            monkeypatch.undo()
        assert len(statements) == 1, statements  # one query per look
        return [(e["type"], e["subject"]) for e in found]

    assert look() == [("test.wanted", "test:there-1"), ("test.wanted", "test:there-2")]
    assert look() == []
    run(there.spine, "test.other", "unwanted-again")  # moves the tail on, though not wanted
    assert look() == []
    head = Event.select(peewee.fn.MAX(Event.position)).scalar()
    assert tail.position == head


# -- a real `floorlink serve`, and the CLI as another process -------------------------------


def config_file(tmp_path: Path, db_url: str) -> Path:
    config = tmp_path / "floorlink.toml"
    config.write_text(
        f'database_url = "{db_url}"\n'
        'secret_key = "test"\n'
        "[relay]\nenabled = false\n"
        "[mqtt]\nenabled = false\n"
        f"[floor]\nsweep_interval_s = {SWEEP_S}\n"
        '[picking]\ndrop_zone_kind = "dock"\n'  # not the default ("pack"): the CLI must see it
    )
    return config


def floorlink_env() -> dict[str, str]:
    """This environment without FLOORLINK_* variables: the config file says everything."""
    return {k: v for k, v in os.environ.items() if not k.startswith("FLOORLINK_")}


def floorlink(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [FLOORLINK, "--config", str(config), *args],
        env=floorlink_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def config(tmp_path: Path, db_url: str) -> Path:
    return config_file(tmp_path, db_url)


@pytest.fixture
def served(config: Path, tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen(
        [FLOORLINK, "--config", str(config), "serve", "--port", str(port)],
        env=floorlink_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, proc)
        yield base, proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
        log.close()


def _wait_healthy(base: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert proc.poll() is None, "floorlink serve exited"
        try:
            if requests.get(f"{base}/api/v1/health", timeout=5).status_code == 200:
                return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise AssertionError("floorlink serve did not answer")


def load_site(oms: Http) -> None:
    assert oms.put("/products", {"products": PRODUCTS}).status_code == 200
    assert oms.put("/locations", {"locations": LOCATIONS}).status_code == 200
    assert oms.post("/stock/adjustments", {"adjustments": STOCK}).status_code == 200
    assert oms.put("/totes", {"totes": [{"code": "T1"}, {"code": "T2"}]}).status_code == 200
    body = {
        "external_id": "WEB-1",
        "channel": "web",
        "lines": [{"line_id": "1", "sku": "MUG", "qty": 1}],
    }
    assert oms.post("/orders", body, headers={"Idempotency-Key": "WEB-1"}).status_code == 201


def logged_in(spine: Spine, base: str, badge: str) -> Picker:
    """An operator added and a handheld enrolled (here, in the test's process), logged in
    over the server's floor API, its socket open."""
    spine.execute(
        operators.AddOperator(badge, f"Op {badge}", ("picker",), operators.new_pin_hash("1234")),
        SYSTEM,
    )
    code = spine.execute(AddKiosk(f"HH-{badge}", "handheld", None, 900.0), SYSTEM).result
    http = requests.Session()
    r = http.post(f"{base}{FLOOR}/enroll", json={"code": code["enrollment_code"]}, timeout=10)
    assert r.status_code == 201, r.text
    http.headers["X-Device-Token"] = r.json()["device_token"]
    r = http.post(f"{base}{FLOOR}/sessions", json={"badge": badge, "pin": "1234"}, timeout=10)
    assert r.status_code == 201, r.text
    http.headers["Authorization"] = f"Bearer {r.json()['token']}"
    picker = Picker(base, http, r.json()["session_id"], r.json()["screen"])
    picker.connect_socket()
    return picker


def drain(*pickers: Picker) -> None:
    for p in pickers:
        while not p.pushed.empty():
            p.pushed.get_nowait()


def stored_screen(session_id: str) -> dict[str, Any]:
    return dict(FloorSession.get(FloorSession.session_id == session_id).screen)


@pytest.mark.slow
def test_a_reassignment_by_the_cli_reaches_both_pickers_kiosks(
    served: tuple[str, subprocess.Popen[bytes]],
    config: Path,
    database: peewee.Database,
) -> None:
    base, proc = served
    oms = Http(base, keys.create("oms", "oms").secret)
    load_site(oms)
    here = build_runtime(load_settings(config, env={}))
    p1, p2 = logged_in(here.spine, base, "P1"), logged_in(here.spine, base, "P2")
    p1.emit(action="pick")
    while p1.screen["name"] != "pick.scan_drop":  # the walk: tote, location, mug, tote
        scan = p1.next_scan(p1.screen)
        assert scan is not None, p1.screen
        p1.emit(scan=scan)
    assert p1.screen["target"] == {"zone": "dock"}  # the server reads the config file
    assert p2.emit(action="pick")["name"] == "pick.no_work"
    drain(p1, p2)
    batch = PickBatch.get().batch_id

    done = floorlink(config, "picking", "reassign", batch, "P2")
    assert done.returncode == 0, done.stderr
    reassigned_at = time.monotonic()
    assert json.loads(done.stdout)["operator"] == "P2"
    assert "Traceback" not in done.stderr and "failed" not in done.stderr, done.stderr
    # Only the server holds the sockets: its sweeper pushes, within two sweep intervals.
    assert p1.wait_push(timeout=2 * SWEEP_S + 1)["name"] == "pick.no_work"
    assert p2.wait_push(timeout=2 * SWEEP_S + 1)["name"] == "pick.scan_drop"
    assert time.monotonic() - reassigned_at < 2 * SWEEP_S + 1
    assert p2.screen["target"] == {"zone": "dock"}
    event = Event.select().where(Event.type == "batch.reassigned").get()
    assert (event.actor, event.data) == (f"cli:{getpass.getuser()}", {"from": "P1", "to": "P2"})

    # With the server gone, nothing but the CLI's own listener renders the screens: it
    # does, with the settings of the config file (a default runtime would say "pack").
    p1.close()
    p2.close()
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(15)
    back = floorlink(config, "picking", "reassign", batch, "P1")
    assert back.returncode == 0, back.stderr
    assert "Traceback" not in back.stderr and "failed" not in back.stderr, back.stderr
    assert stored_screen(p1.session_id)["name"] == "pick.scan_drop"
    assert stored_screen(p1.session_id)["target"] == {"zone": "dock"}
    assert stored_screen(p2.session_id)["name"] == "pick.no_work"
