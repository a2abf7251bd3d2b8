"""Picking through the real server: simulated pickers scanning concurrently on the floor API.

    .venv/bin/python bench/picking.py [--pickers 100] [--seconds 15] [--rate 200] [--pg [URL]]
        [--transport socketio|http]

Starts `floorlink serve` (gunicorn, threaded) on a free port against a fresh SQLite file
(with --pg: a fresh database on the local PostgreSQL, 127.0.0.1:5432, or the server of the
admin URL given; `bash scripts/with-postgres.sh true` starts it where it is not running),
loads a catalogue, stock, totes and orders through the OMS API, enrolls one kiosk per
picker and logs every picker in (floor API). Then every picker walks its batches (tote,
location, product per unit, tote, drop) in worker processes, over Socket.IO as the kiosk
page sends by default (`--transport http`: over keep-alive HTTP, its fallback):
  1. saturated: every picker scans as fast as the server answers, for --seconds;
  2. paced: all pickers together at --rate scans/s, for --seconds.
It prints scans committed per second and p50/p99 from a scan to its new screen, beside the
raw durable commit rate (SQLite WAL, synchronous=FULL, one row per commit; with --pg,
PostgreSQL's own, one row per commit) of this run,
and the ceiling of this run (bench/ceiling.py: a bare Flask app committing one durable row
per request under the same gunicorn configuration), with the ratios the targets are set in
(issue 17): figures of one machine are not targets, ratios of the same run are. PostgreSQL
has no target: its figures are reported beside SQLite's, for no regression across commits.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import ceiling
from orders import (
    PG_ADMIN,
    Server,
    drop_postgres,
    gtin13,
    postgres_db,
    raw_postgres,
    raw_sqlite,
    request,
)

SKUS = 200
LINES = 3
FLOOR = "/api/floor/v1"


# --- the site -------------------------------------------------------------------------------


def load_site(port: int, key: str, orders: int, totes: list[str]) -> None:
    auth = {"Authorization": f"Bearer {key}"}
    locations = [
        {
            "code": f"A-{i // 20 + 1:02d}-{i % 20 + 1:02d}-1",
            "zone": "A",
            "kind": "pick",
            "walk_sequence": i,
        }
        for i in range(SKUS)
    ] + [{"code": "PACK-01", "zone": "P", "kind": "pack", "walk_sequence": 9000}]
    products = [
        {
            "sku": f"B-{i}",
            "name": f"Item {i}",
            "barcodes": [gtin13(i)],
            "weight_g": 100,
            "dims_mm": [10, 10, 10],
        }
        for i in range(SKUS)
    ]
    stock = [
        {"sku": f"B-{i}", "location": locations[i]["code"], "delta": 1_000_000, "reason": "bench"}
        for i in range(SKUS)
    ]
    calls = [
        ("/api/v1/locations", "PUT", {"locations": locations}),
        ("/api/v1/products", "PUT", {"products": products}),
        ("/api/v1/stock/adjustments", "POST", {"adjustments": stock}),
    ]
    calls += [
        ("/api/v1/totes", "PUT", {"totes": [{"code": c} for c in totes[i : i + 1000]]})
        for i in range(0, len(totes), 1000)
    ]
    for path, method, body in calls:
        status, answer = request(port, method, path, body, auth)
        if status != 200:
            raise RuntimeError(f"{method} {path}: {status} {answer}")
    post_orders(port, auth, orders)


def post_orders(port: int, auth: dict[str, str], orders: int) -> None:
    def post(part: range) -> None:
        rng = random.Random(part.start)
        for n in part:
            lines = [
                {"line_id": str(j), "sku": f"B-{s}", "qty": rng.randint(1, 2)}
                for j, s in enumerate(rng.sample(range(SKUS), LINES))
            ]
            body = {
                "external_id": f"P-{n}",
                "channel": "web",
                "priority": 5,
                "ship_by": "2030-01-01T12:00:00Z",
                "lines": lines,
            }
            status, answer = request(
                port, "POST", "/api/v1/orders", body, auth | {"Idempotency-Key": f"P-{n}"}
            )
            if status != 201:
                raise RuntimeError(f"order {n}: {status} {answer}")

    threads = [threading.Thread(target=post, args=(range(i, orders, 8),)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def seed_floor(database_url: str, pickers: int) -> list[str]:
    """Operators P000... (PIN 1234, picker) and one handheld each; their enrollment codes."""
    from server import db
    from server.areas import load_settings
    from server.bootstrap import build_runtime
    from server.floor import operators
    from server.floor.kiosks import AddKiosk
    from server.spine import SYSTEM

    database = db.bind(database_url)
    spine = build_runtime(load_settings(env={}, demo=True, database_url=database_url)).spine
    pin_hash, codes = operators.new_pin_hash("1234"), []
    with database.connection_context():
        for i in range(pickers):
            cmd = operators.AddOperator(f"P{i:03d}", f"Picker {i}", ("picker",), pin_hash)
            spine.execute(cmd, SYSTEM)
            codes.append(
                spine.execute(AddKiosk(f"HH-{i:03d}", "handheld", None, 3600.0), SYSTEM).result[
                    "enrollment_code"
                ]
            )
    database.close_all()  # type: ignore[attr-defined]
    return codes


# --- one picker -----------------------------------------------------------------------------


def post_retrying(
    conn: Any, path: str, body: Any, headers: dict[str, str], attempts: int = 20
) -> tuple[Any, int]:
    """POST over a keep-alive connection; a 503 (database busy: nothing applied) is sent
    again, the same body (the same input id). The answer, and how many were sent again."""
    payload, retries = json.dumps(body).encode(), 0
    for _ in range(attempts):
        conn.request("POST", path, payload, headers)
        response = conn.getresponse()
        answer = json.loads(response.read())
        if response.status != 503:
            break
        retries += 1
        time.sleep(0.05)
    if response.status >= 300:
        raise RuntimeError(f"{path}: {response.status} {answer}")
    return answer, retries


class Picker:
    def __init__(self, port: int, index: int, code: str, totes: list[str]) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.conn.connect()
        self.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.headers = {"Content-Type": "application/json"}
        self.free, self.totes = list(totes), {}  # type: ignore[var-annotated]
        self.retries = 0
        token = self.post(f"{FLOOR}/enroll", {"code": code})["device_token"]
        self.headers["X-Device-Token"] = token
        login = self.post(f"{FLOOR}/sessions", {"badge": f"P{index:03d}", "pin": "1234"})
        self.headers["Authorization"] = f"Bearer {login['token']}"
        self.inputs = f"{FLOOR}/sessions/{login['session_id']}/inputs"
        self.screen: dict[str, Any] = login["screen"]
        self.n = 0

    def post(self, path: str, body: Any) -> Any:
        answer, retries = post_retrying(self.conn, path, body, self.headers)
        self.retries += retries
        return answer

    def send(self, **body: Any) -> dict[str, Any]:
        self.n += 1
        self.screen = self.post(self.inputs, {"input_id": f"i{self.n}", **body})["screen"]
        return self.screen

    def next_scan(self) -> str | None:
        name, target = self.screen["name"], self.screen["target"]
        if name == "pick.scan_tote":
            return self.totes.setdefault(target["order"], self.free.pop())
        if name == "pick.scan_location":
            return str(target["location"])
        if name in ("pick.scan_product", "pick.quantity"):
            return gtin13(int(target["sku"].removeprefix("B-")))
        if name == "pick.scan_tote_put":
            return str(target["tote"])
        return "PACK-01" if name == "pick.scan_drop" else None

    def to_scan(self) -> bool:
        """Take the next batch while the screen asks for no scan; False when no work is left."""
        while self.next_scan() is None:
            action = "next" if self.screen["name"] == "pick.done" else "pick"
            if self.send(action=action)["name"] == "pick.no_work":
                return False
        return True

    def walk(self, start: float, end: float, interval: float, out: list[Any]) -> None:
        """Scan until `end` (wall clock); every `interval` s if paced, else back to back."""
        due = start + random.random() * interval
        while time.time() < end:
            if not self.to_scan():
                return
            scan = self.next_scan()
            assert scan is not None
            if interval:
                time.sleep(max(0.0, due - time.time()))
                due += interval
            step, began = self.screen["name"], time.perf_counter()
            screen = self.send(scan=scan)
            error = (screen.get("feedback") or {}).get("level") == "error"
            out.append((time.time(), time.perf_counter() - began, error, step))


class SocketPicker(Picker):
    """A picker whose handheld sends its inputs over Socket.IO, as the kiosk page does by
    default (an `input` event, the new screen in its ack); enrolled and logged in over HTTP."""

    def __init__(self, port: int, index: int, code: str, totes: list[str]) -> None:
        import socketio  # the client, only where this transport is used

        super().__init__(port, index, code, totes)
        self.sio = socketio.Client(reconnection=False)
        self.sio.connect(
            f"http://127.0.0.1:{port}",
            namespaces=["/kiosk"],
            transports=["websocket"],
            auth={
                "device_token": self.headers["X-Device-Token"],
                "session_token": self.headers["Authorization"].removeprefix("Bearer "),
            },
            wait_timeout=30,
        )

    def send(self, **body: Any) -> dict[str, Any]:
        self.n += 1
        payload = {"input_id": f"i{self.n}", **body}
        for _ in range(20):
            ack = self.sio.call("input", payload, namespace="/kiosk", timeout=60)
            status = (ack.get("error") or {}).get("status") if isinstance(ack, dict) else None
            if status != 503:  # 503 (database busy: nothing applied): the same input again
                break
            self.retries += 1
            time.sleep(0.05)
        if not isinstance(ack, dict) or not ack.get("screen") or ack.get("error"):
            raise RuntimeError(f"input over Socket.IO: {ack}")
        self.screen = ack["screen"]
        return self.screen


def worker(
    port: int,
    jobs: list[tuple[int, str, list[str]]],
    plan: Any,
    ready: Any,
    go: Any,
    results: Any,
    transport: str = "http",
) -> None:
    kind = SocketPicker if transport == "socketio" else Picker
    pickers = [kind(port, i, code, totes) for i, code, totes in jobs]
    for p in pickers:
        p.send(action="pick")
    ready.put(len(pickers))
    go.wait()
    start, seconds, interval = plan["start"], plan["seconds"], plan["interval"]
    for phase, (begin, gap) in enumerate(((start, 0.0), (start + seconds + 1, interval))):
        # Pickers the saturated phase left between batches take their next one before the
        # paced phase, not all in its first instant (a burst no real floor has).
        for p in pickers:
            p.to_scan()
        samples: list[Any] = []
        threads = [
            threading.Thread(target=p.walk, args=(begin, begin + seconds, gap, samples))
            for p in pickers
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        results.put((phase, samples, sum(p.retries for p in pickers)))


# --- the run --------------------------------------------------------------------------------


def summary(samples: list[Any], seconds: float) -> str:
    lat = sorted(s[1] for s in samples)
    if not lat:
        return "no scans"
    errors = sum(1 for s in samples if s[2])
    p50, p99 = lat[len(lat) // 2] * 1000, lat[max(0, int(len(lat) * 0.99) - 1)] * 1000
    return (
        f"scans/s {len(lat) / seconds:7.1f}   p50 {p50:6.1f} ms   p99 {p99:6.1f} ms   "
        f"scans {len(lat)}   error screens {errors}"
    )


def run(args: Any, workdir: Path) -> None:
    if args.pg is None:
        run_on(args, workdir, f"sqlite:///{workdir / 'bench.db'}")
        return
    made = postgres_db(args.pg)
    if made is None:
        raise SystemExit(
            f"PostgreSQL not reachable at {args.pg}: bash scripts/with-postgres.sh true"
        )
    url, name = made
    try:
        run_on(args, workdir, url)
    finally:
        drop_postgres(name, args.pg)


NOTEWORTHY = (" WARNING ", " ERROR ", "Error: ", "Warning: ")


def run_on(args: Any, workdir: Path, url: str) -> None:
    pg = url.startswith("postgres")
    raw = raw_postgres(url, 3.0) if pg else raw_sqlite(workdir / "raw.db", 3.0)
    server = Server(url, workdir)
    server.env["FLOORLINK_SERVER__THREADS"] = str(args.threads)
    server.start()
    try:
        key = server.cli("apikey", "create", "bench", "--scope", "oms").splitlines()[0]
        per = args.orders // args.pickers * 2 + 10
        totes = {i: [f"T{i:03d}-{n:04d}" for n in range(per)] for i in range(args.pickers)}
        load_site(server.port, key, args.orders, [c for t in totes.values() for c in t])
        codes = seed_floor(url, args.pickers)
        jobs = [(i, codes[i], totes[i]) for i in range(args.pickers)]
        assert server.proc is not None
        phases, cpu_ms = drive(server.port, _worker_pid(server.proc.pid), jobs, args)
    finally:
        server.stop()
        log = (workdir / f"serve-{server.port}.log").read_text(errors="replace").splitlines()
        said = [line for line in log if any(w in line for w in NOTEWORTHY)]
        if said:  # what went wrong in the server, where the figures alone would hide it
            print("the server's warnings and errors (last 20):\n" + "\n".join(said[-20:]))
    bare = ceiling.measure(args.ceiling_seconds, args.pickers, args.threads)
    if pg:
        print(f"raw PostgreSQL commits/s {raw:7.0f} (one row per commit, this run's database)")
    else:
        print(f"raw SQLite commits/s {raw:7.0f} (WAL, synchronous=FULL, one row per commit)")
    print(
        f"ceiling: bare Flask + one durable commit, same gunicorn configuration: "
        f"HTTP {bare['http']:.2f} ms CPU/request, Socket.IO {bare['socketio']:.2f} ms"
    )
    print(f"pickers' transport: {args.transport} (server threads {args.threads})")
    print(f"saturated ({args.pickers} pickers)   {summary(phases[0], args.seconds)}")
    print(f"paced at {args.rate:.0f} scans/s         {summary(phases[1], args.seconds)}")
    same = bare["socketio" if args.transport == "socketio" else "http"]
    print(
        f"CPU per scan {cpu_ms:.2f} ms = {cpu_ms / bare['http']:.2f}x the ceiling's HTTP request, "
        f"{cpu_ms / same:.2f}x its {args.transport} input (the same transport)"
    )
    report = ratios if pg else verdict
    print(report(phases, args.seconds, raw, args.rate, cpu_ms / bare["http"]))
    print(f"paced, slowest 1 % by step: {slowest(phases[1])}")


def slowest(samples: list[Any]) -> str:
    """Which steps (the screen a scan answered) make up the slowest 1 % of the samples."""
    tail = sorted(samples, key=lambda s: s[1])[-max(1, len(samples) // 100) :]
    counts: dict[str, int] = {}
    for sample in tail:
        counts[sample[3]] = counts.get(sample[3], 0) + 1
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1]))


def verdict(
    phases: dict[int, list[Any]], seconds: float, raw: float, pace: float, cpu_ratio: float
) -> str:
    """The issue's targets (issue 17), as ratios of this run (SQLite, 2 cores)."""
    rate = len(phases[0]) / seconds
    paced = sorted(s[1] for s in phases[1])
    p99 = paced[max(0, int(len(paced) * 0.99) - 1)] * 1000 if paced else float("inf")
    said = {True: "met", False: "NOT met"}
    applies = "" if raw >= 3500 else f" (does not apply: raw {raw:.0f}/s < 3,500/s)"
    return (
        f"target CPU per scan <= 1.5x the ceiling: {said[cpu_ratio <= 1.5]} ({cpu_ratio:.2f}x)\n"
        f"target saturated scans/s >= 0.15 of raw commits: {said[rate / raw >= 0.15]} "
        f"({rate / raw:.3f}: {rate:.0f} of {raw:.0f})\n"
        f"target p99 <= 50 ms at 200 scans/s: {said[p99 <= 50]}{applies} "
        f"({p99:.1f} ms at {pace:.0f}/s)"
    )


def ratios(
    phases: dict[int, list[Any]], seconds: float, raw: float, pace: float, cpu_ratio: float
) -> str:
    """The same ratios on PostgreSQL, where issue 17 sets no target: compared across commits
    (no regression), not against a figure."""
    rate = len(phases[0]) / seconds
    paced = sorted(s[1] for s in phases[1])
    p99 = paced[max(0, int(len(paced) * 0.99) - 1)] * 1000 if paced else float("inf")
    return (
        f"PostgreSQL (no target): CPU per scan {cpu_ratio:.2f}x the ceiling; saturated scans/s "
        f"{rate / raw:.3f} of raw commits ({rate:.0f} of {raw:.0f}); "
        f"p99 {p99:.1f} ms at {pace:.0f}/s"
    )


def cpu_seconds(pid: int) -> tuple[float, float]:
    """User and system CPU time of a process (Linux /proc), load-independent cost."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def drive(port: int, pid: int, jobs: list[Any], args: Any) -> tuple[dict[int, list[Any]], float]:
    """Both phases' samples, and the server's CPU ms per scan over both."""
    ctx = mp.get_context("fork")
    ready, results, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    plan = ctx.Manager().dict()
    parts = [jobs[i :: args.procs] for i in range(args.procs)]
    transport = getattr(args, "transport", "http")  # bench/scale_out.py: HTTP pickers
    procs = [
        ctx.Process(target=worker, args=(port, part, plan, ready, go, results, transport))
        for part in parts
    ]
    for p in procs:
        p.start()
    for _ in procs:
        ready.get(timeout=600)
    plan.update(start=time.time() + 0.5, seconds=args.seconds, interval=args.pickers / args.rate)
    cpu, load_cpu = cpu_seconds(pid), os.times()
    spy = _profile(pid, args.profile) if args.profile else None
    go.set()
    phases: dict[int, list[Any]] = {0: [], 1: []}
    retries = 0
    for _ in range(2 * len(procs)):
        phase, samples, retried = results.get(timeout=2 * args.seconds + 300)
        phases[phase] += samples
        retries += retried if phase == 1 else 0  # each worker's count covers both phases
    if spy is not None:
        spy.send_signal(signal.SIGINT)  # py-spy writes its file on Ctrl-C
        spy.wait(60)
    print(f"503 (busy) answers sent again by the pickers: {retries}")
    scans = len(phases[0]) + len(phases[1])
    user, system = (after - before for after, before in zip(cpu_seconds(pid), cpu, strict=True))
    for p in procs:
        p.join(30)
    ended = os.times()  # the load generators' CPU counts once they are joined
    load = ended.children_user + ended.children_system
    load -= load_cpu.children_user + load_cpu.children_system
    per = 1000 / max(scans, 1)
    print(
        f"server CPU per scan {(user + system) * per:.2f} ms (user {user * per:.2f}, "
        f"system {system * per:.2f}; both phases, {scans} scans); "
        f"load generators {load * per:.2f} ms"
    )
    return phases, (user + system) * per


def _profile(pid: int, out: str) -> subprocess.Popen[bytes]:
    """py-spy (pip install py-spy) in GIL mode on the worker, for both phases."""
    spy = Path(sys.executable).with_name("py-spy")
    command = [str(spy), "record", "--pid", str(pid), "--format", "raw", "--rate", "100"]
    return subprocess.Popen([*command, "--gil", "-o", out], stdout=subprocess.DEVNULL)


def _worker_pid(master: int) -> int:
    """gunicorn's one worker process (the master only supervises it)."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return int(children[0]) if children else master


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pickers", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--rate", type=float, default=200.0, help="scans/s of the paced phase")
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--procs", type=int, default=4, help="load generator processes")
    parser.add_argument(
        "--threads", type=int, default=64, help="server threads (server.threads; its default)"
    )
    parser.add_argument("--profile", help="write a py-spy profile (raw) of the worker here")
    parser.add_argument(
        "--transport",
        choices=("socketio", "http"),
        default="socketio",
        help="how the handhelds send their scans: Socket.IO (the kiosk's default) or HTTP "
        "(its fallback)",
    )
    parser.add_argument(
        "--pg",
        nargs="?",
        const=PG_ADMIN,
        default=None,
        metavar="ADMIN_URL",
        help=f"on a fresh PostgreSQL database instead of SQLite (createdb through {PG_ADMIN})",
    )
    parser.add_argument(
        "--ceiling-seconds", type=float, default=5.0, help="each phase of the ceiling's run"
    )
    args = parser.parse_args()
    if args.transport == "socketio":  # every websocket holds one of the server's threads
        args.threads = max(args.threads, args.pickers + 60)
    on = "PostgreSQL" if args.pg else "SQLite"
    print(f"load: {os.getloadavg()}  cores: {os.cpu_count()}  pickers: {args.pickers}  on {on}")
    with tempfile.TemporaryDirectory(prefix="floorlink-bench-") as tmp:
        run(args, Path(tmp))


if __name__ == "__main__":
    main()
