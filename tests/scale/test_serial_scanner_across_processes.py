"""A serial scanner stays with the process of the host it is plugged into; its scans reach
the station's kiosk wherever that kiosk is connected (docs/deployment.md).

Two `floorlink serve` processes on one PostgreSQL with Redis as Socket.IO's queue: A reads
the scanner (a real pseudo-terminal, `[[scanners]]` in A's config), the station's kiosk is
enrolled, logged in and connected over Socket.IO to B only. A badge scanned on A pushes
the PIN screen to the kiosk on B; every scan of a whole pick walk is applied by A and its
screen pushed to B at once (the event log's look is set to a minute: Redis did it).

And where both processes of a host are configured with the same scanner (they share the
site's config), the port is read by one of them only (an exclusive lock on the tty): each
line is applied once, never split between two readers; the other takes the port over
when the reader is killed -9.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import peewee
import pytest
import requests
import socketio

from server.api import keys
from server.areas import load_settings
from server.bootstrap import build_runtime
from server.floor import operators
from server.floor.kiosks import AddKiosk
from server.ids import new_id
from server.models import ProcessedInput
from server.spine import SYSTEM, Spine
from tests.fixtures.database import on_postgres
from tests.fixtures.serialpty import PtyFactory
from tests.fixtures.site import LOCATIONS, PRODUCTS
from tests.fixtures.site_parts import RedisServer, Serve, wait_until
from tests.picking.live import FLOOR, STOCK, Http, Walker

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not on_postgres, reason="several processes need PostgreSQL"),
]

SCANNER = "scanner-pick-1"
STATION = "PICK-1"


def config_file(path: Path, db_url: str, redis_url: str, scanner_port: str | None) -> Path:
    text = (
        f'database_url = "{db_url}"\nsecret_key = "test"\n'
        f'[realtime]\nredis_url = "{redis_url}"\n'
        "[relay]\nenabled = false\n[mqtt]\nenabled = false\n"
        "[floor]\nsweep_interval_s = 60\n"  # a push seen within seconds came through Redis
    )
    if scanner_port is not None:
        text += f'[[scanners]]\nid = "{SCANNER}"\nport = "{scanner_port}"\nstation = "{STATION}"\n'
    path.write_text(text)
    return path


@dataclass
class StationKiosk:
    """The station's kiosk as its browser is: HTTP for login, one Socket.IO socket."""

    base: str
    http: requests.Session = field(default_factory=requests.Session)
    pushed: queue.Queue[dict[str, Any]] = field(default_factory=queue.Queue)
    session_id: str = ""
    sio: socketio.Client | None = None

    def enroll(self, code: str) -> None:
        r = self.http.post(f"{self.base}{FLOOR}/enroll", json={"code": code}, timeout=10)
        assert r.status_code == 201, r.text
        self.http.headers["X-Device-Token"] = r.json()["device_token"]

    def login(self, badge: str, pin: str) -> dict[str, Any]:
        body = {"badge": badge, "pin": pin}
        r = self.http.post(f"{self.base}{FLOOR}/sessions", json=body, timeout=10)
        assert r.status_code == 201, r.text
        self.http.headers["Authorization"] = f"Bearer {r.json()['token']}"
        self.session_id = r.json()["session_id"]
        return dict(r.json()["screen"])

    def connect(self) -> None:
        """(Re)connect the socket with what the kiosk holds: its device, its session."""
        if self.sio is not None:
            self.sio.disconnect()
        client = socketio.Client(reconnection=False)
        client.on("screen", lambda data: self.pushed.put(data["screen"]), namespace="/kiosk")
        auth = {"device_token": self.http.headers["X-Device-Token"]}
        if "Authorization" in self.http.headers:
            auth["session_token"] = str(self.http.headers["Authorization"]).removeprefix("Bearer ")
        client.connect(self.base, namespaces=["/kiosk"], auth=auth, wait_timeout=10)
        self.sio = client

    def emit(self, **body: Any) -> dict[str, Any]:
        assert self.sio is not None
        ack = self.sio.call("input", {"input_id": new_id("in"), **body}, "/kiosk", timeout=10)
        assert "error" not in ack, ack
        return dict(ack["screen"])

    def next_push(self, timeout: float = 10.0) -> dict[str, Any]:
        try:
            return self.pushed.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"nothing pushed to the kiosk within {timeout} s") from None

    def next_push_after(self, shown: dict[str, Any], timeout: float = 10.0) -> dict[str, Any]:
        """The next pushed screen other than the one shown (the echo of the kiosk's own
        input, where the server sends one, is the screen it already has)."""
        while (pushed := self.next_push(timeout)) == shown:
            pass
        return pushed

    def current(self) -> dict[str, Any]:
        url = f"{self.base}{FLOOR}/sessions/{self.session_id}/screen"
        return dict(self.http.get(url, timeout=10).json()["screen"])

    def close(self) -> None:
        if self.sio is not None:
            self.sio.disconnect()
        self.http.close()


@dataclass
class Site:
    spine: Spine
    redis: RedisServer
    oms_key: str
    tmp: Path
    db_url: str
    parts: list[Any] = field(default_factory=list)

    def serve(self, name: str, scanner_port: str | None) -> Serve:
        config = config_file(self.tmp / f"{name}.toml", self.db_url, self.redis.url, scanner_port)
        proc = Serve(name, self.tmp, config)
        self.parts.append(proc.start())
        return proc

    def station_kiosk(self, base: str, badge: str, pin: str = "1234") -> StationKiosk:
        pin_hash = operators.new_pin_hash(pin)
        self.spine.execute(
            operators.AddOperator(badge, f"Op {badge}", ("picker",), pin_hash), SYSTEM
        )
        code = self.spine.execute(AddKiosk("ST-1", "station", STATION, 900.0), SYSTEM).result
        k = StationKiosk(base)
        k.enroll(code["enrollment_code"])
        return k

    def load(self, base: str) -> None:
        oms = Http(base, self.oms_key)
        assert oms.put("/products", {"products": PRODUCTS}).status_code == 200
        assert oms.put("/locations", {"locations": LOCATIONS}).status_code == 200
        assert oms.post("/stock/adjustments", {"adjustments": STOCK}).status_code == 200
        assert (
            oms.put("/totes", {"totes": [{"code": f"T{i}"} for i in range(1, 7)]}).status_code
            == 200
        )
        for external_id, sku, qty in (("WEB-1", "MUG", 2), ("WEB-2", "PEN", 1)):
            body = {
                "external_id": external_id,
                "channel": "web",
                "ship_by": "2030-01-01T12:00:00Z",
                "lines": [{"line_id": "1", "sku": sku, "qty": qty}],
            }
            r = oms.post("/orders", body, headers={"Idempotency-Key": external_id})
            assert r.status_code == 201, r.json


@pytest.fixture
def site(tmp_path: Path, db_url: str, database: peewee.Database) -> Iterator[Site]:
    redis = RedisServer(tmp_path).start()
    spine = build_runtime(
        load_settings(config_file(tmp_path / "cli.toml", db_url, redis.url, None), env={})
    ).spine
    s = Site(spine, redis, keys.create("oms", "oms").secret, tmp_path, db_url, [redis])
    try:
        yield s
    finally:
        for part in reversed(s.parts):
            part.kill()


def scanner_row(proc: Serve, admin_key: str) -> dict[str, Any]:
    """The scanner as GET /api/v1/devices of this process shows it."""
    rows = Http(proc.base, admin_key).get("/devices").json["data"]
    return next(row for row in rows if row["id"] == SCANNER)


def listed(proc: Serve, admin_key: str) -> dict[str, Any] | None:
    """The scanner as this process lists it, None while it lists none."""
    rows = Http(proc.base, admin_key).get("/devices").json["data"]
    return next((row for row in rows if row["id"] == SCANNER), None)


def test_a_scanner_read_by_a_drives_a_station_kiosk_connected_to_b(
    site: Site, serial_pty: PtyFactory
) -> None:
    scanner = serial_pty(SCANNER)
    a, b = site.serve("serve-a", scanner.path), site.serve("serve-b", None)
    a.wait_healthy(), b.wait_healthy()
    admin_key = keys.create("admin", "admin").secret
    opened = lambda: scanner_row(a, admin_key)["availability"] == "online"  # noqa: E731
    wait_until(opened, 20, "A did not open the scanner")
    site.load(b.base)

    kiosk = site.station_kiosk(b.base, "P1")
    kiosk.connect()  # to B only, before anyone is logged in at the station
    scanner.write(b"P1\r")  # the badge, read by A
    assert kiosk.next_push()["name"] == "login.pin"  # pushed by A to the device on B
    home = kiosk.login("P1", "1234")
    kiosk.connect()  # as the browser does after login: the socket joins the session
    assert kiosk.next_push() == home  # the screen sent on connect
    screen = kiosk.emit(action="pick")  # its own input's answer (an echo, if any, skipped)

    walker, scans, code_of_last = Walker(), 0, ""
    while (code := walker.next_scan(screen)) is not None:
        started, code_of_last = time.monotonic(), code
        scanner.write(code.encode() + b"\r")
        screen = kiosk.next_push_after(screen)
        assert time.monotonic() - started < 10  # not the log's look (60 s)
        assert (screen.get("feedback") or {}).get("level") != "error", screen
        scans += 1
    assert screen["name"] == "pick.done"
    assert scans == 10  # 2 totes, 2 x (location, product..., tote), drop
    assert kiosk.current() == screen
    # B reads no port, but lists A's scanner as A shares it (server/hardware/serial_share.py)
    shown = lambda: scanner_row(b, admin_key)  # noqa: E731
    last = lambda: ((listed(b, admin_key) or {}).get("state") or {}).get("last_scan")  # noqa: E731
    wait_until(lambda: last() == code_of_last, 10, "B does not list A's scanner and its scan")
    assert (shown()["availability"], shown()["source"], shown()["station"]) == (
        "online",
        "serial",
        STATION,
    )
    assert shown()["state"]["read_by"]  # the host that reads it
    with ProcessedInput._meta.database.connection_context():
        taken = ProcessedInput.select().where(ProcessedInput.key.contains(f":serial:{SCANNER}:"))
        assert taken.count() == scans  # each applied once
    kiosk.close()


def holders(procs: list[Serve], admin_key: str) -> list[Serve]:
    """The processes that read the port themselves (the others list it as its reader shares it)."""
    return [
        p
        for p in procs
        if p.alive()
        and (row := scanner_row(p, admin_key))["availability"] == "online"
        and not row["state"]["held_elsewhere"]
    ]


def test_two_processes_of_one_host_configured_with_one_scanner_read_it_once(
    site: Site, serial_pty: PtyFactory
) -> None:
    scanner = serial_pty(SCANNER)
    procs = [site.serve("serve-a", scanner.path), site.serve("serve-b", scanner.path)]
    for proc in procs:
        proc.wait_healthy()
    admin_key = keys.create("admin", "admin").secret
    kiosk = site.station_kiosk(procs[1].base, "P1")
    kiosk.login("P1", "1234")

    def answers() -> list[str]:
        """What each scan taken in answered (a line split between two readers would be
        two inputs, each a decode error)."""
        with ProcessedInput._meta.database.connection_context():
            query = ProcessedInput.select().where(
                ProcessedInput.key.contains(f":serial:{SCANNER}:")
            )
            return [str((row.result.get("feedback") or {}).get("message")) for row in query]

    def scan(n: int) -> None:
        for _ in range(n):  # a byte at a time, as a scanner at 9600 baud sends them
            for byte in b"4006381333931\r":
                scanner.write(bytes([byte]))
                time.sleep(0.002)
            time.sleep(0.05)

    def taken(n: int) -> None:
        wait_until(lambda: len(answers()) >= n, 20, f"not {n} scans taken in: {answers()}")
        time.sleep(1.0)  # a second reader's copy would be counted by now
        assert answers() == ["Choose your work first"] * n

    wait_until(lambda: holders(procs, admin_key), 20, "nobody opened the scanner")
    [holder] = holders(procs, admin_key)
    [standby] = [p for p in procs if p is not holder]
    # the standby lists the scanner as the holder shares it: online, read elsewhere
    wait_until(
        lambda: scanner_row(standby, admin_key)["availability"] == "online", 10, "not shared"
    )
    row = scanner_row(standby, admin_key)
    assert row["state"]["held_elsewhere"] is True and row["state"]["read_by"]
    assert scanner_row(holder, admin_key)["state"]["held_elsewhere"] is False
    scan(20)
    taken(20)

    holder.kill()  # the kernel drops its lock on the tty: the other process takes it over
    wait_until(lambda: holders([standby], admin_key), 15, "the other process did not take over")
    assert scanner_row(standby, admin_key)["state"]["held_elsewhere"] is False
    scan(20)
    taken(40)
    kiosk.close()
