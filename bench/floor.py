"""Floor inputs/s and input-to-screen latency with 200 kiosk sessions, beside the raw
Socket.IO echo rate of the same server in the same run (issue 5).

    .venv/bin/python bench/floor.py [--sessions 200] [--procs 4] [--seconds 10]
        [--rate 200] [--input home|scan] [--threads 300]

Starts a real `floorlink serve` (gunicorn gthread) on a free loopback port with a fresh
SQLite database, creates operators and kiosks through the admin API, enrolls the kiosks
and logs one operator in on each. Client processes (several: the python-socketio client
manages ~3.3k messages/s per process) then keep one Socket.IO connection per session open
throughout and measure, each phase in turn:
  - HTTP: POST /api/floor/v1/sessions/{id}/inputs in a closed loop, one keep-alive
    connection (TCP_NODELAY) per session;
  - Socket.IO: `input` events in a closed loop; latency ends at the new screen (the
    `screen` push or the ack, whichever comes first);
  - echo: `ping` events (answered without database work): the raw Socket.IO rate;
  - fixed rate: inputs spread evenly at --rate inputs/s in total, over Socket.IO and HTTP,
    and `ping` at the same rate (the tail of the transport and the machine alone).
The input is a real floor input: the `home` action on the home screen (default) or a scan
on the home screen ("Choose your work first").
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import ceiling
import socketio

ROOT = Path(__file__).resolve().parent.parent
FLOORLINK = Path(sys.executable).with_name("floorlink")
FLOOR = "/api/floor/v1"
PIN = "4821"
OPERATORS_PER = 10  # kiosks per operator (one argon2id hash per operator)


@dataclass(frozen=True)
class Kiosk:
    device_id: str
    device_token: str
    session_id: str
    token: str


@dataclass(frozen=True)
class Result:
    phase: str
    count: int
    errors: int
    seconds: float
    latencies_ms: list[float]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Http:
    """One keep-alive connection with TCP_NODELAY; JSON in, (status, JSON) out."""

    def __init__(self, port: int, headers: dict[str, str] | None = None) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.conn.connect()
        assert self.conn.sock is not None
        self.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.headers = {"Content-Type": "application/json", **(headers or {})}

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else None
        self.conn.request(method, path, data, self.headers)
        response = self.conn.getresponse()
        raw = response.read()
        return response.status, json.loads(raw) if raw else None

    def close(self) -> None:
        self.conn.close()


# ---------------------------------------------------------------- the server


@contextmanager
def running_server(threads: int) -> Iterator[tuple[int, dict[str, str], int]]:
    workdir = Path(tempfile.mkdtemp(prefix="flbench-floor-"))
    port = free_port()
    env = {
        **os.environ,
        "FLOORLINK_DATABASE_URL": f"sqlite:///{workdir}/floor.db",
        "FLOORLINK_SECRET_KEY": "bench-" + os.urandom(8).hex(),
        "FLOORLINK_MQTT_URL": f"mqtt://127.0.0.1:{free_port()}",  # no broker: shown offline
        "FLOORLINK_SERVER__THREADS": str(threads),
        "FLOORLINK_LOG_LEVEL": "WARNING",
    }
    env.pop("FLOORLINK_CONFIG", None)
    subprocess.run([FLOORLINK, "db", "upgrade"], env=env, check=True, capture_output=True)
    key = subprocess.run(
        [FLOORLINK, "apikey", "create", "bench", "--scope", "admin"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    log = (workdir / "serve.log").open("w")
    server = subprocess.Popen(
        [FLOORLINK, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_ready(port, server)
        yield port, {"Authorization": f"Bearer {key}"}, server.pid
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
        shutil.rmtree(workdir, ignore_errors=True)


def _wait_ready(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"floorlink serve exited with {server.returncode}")
        try:
            status, _ = Http(port).call("GET", f"{FLOOR}/openapi.json")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("floorlink serve did not answer within 30 s")


def open_sessions(port: int, admin: dict[str, str], count: int) -> list[Kiosk]:
    """Operators and kiosks through the admin API, then enroll and log in each kiosk."""
    operators = (count + OPERATORS_PER - 1) // OPERATORS_PER

    def add_operator(i: int) -> None:
        body = {"badge": f"B-{i:04d}", "name": f"Bench {i}", "roles": ["picker"], "pin": PIN}
        status, reply = Http(port, admin).call("POST", "/api/v1/operators", body)
        assert status == 201, reply

    def kiosk(i: int) -> Kiosk:
        device_id = f"HH-{i:04d}"
        body = {"device_id": device_id, "kind": "handheld"}
        status, created = Http(port, admin).call("POST", "/api/v1/kiosks", body)
        assert status == 201, created
        client = Http(port)
        status, enrolled = client.call(
            "POST", f"{FLOOR}/enroll", {"code": created["enrollment_code"]}
        )
        assert status == 201, enrolled
        client.headers["X-Device-Token"] = enrolled["device_token"]
        badge = f"B-{i // OPERATORS_PER:04d}"
        status, session = client.call("POST", f"{FLOOR}/sessions", {"badge": badge, "pin": PIN})
        assert status == 201, session
        return Kiosk(device_id, enrolled["device_token"], session["session_id"], session["token"])

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(add_operator, range(operators)))
        return list(pool.map(kiosk, range(count)))


# ---------------------------------------------------------------- client processes


class SocketKiosk:
    """One kiosk's Socket.IO connection; times an input until its new screen arrives."""

    def __init__(self, port: int, kiosk: Kiosk) -> None:
        self.sio = socketio.Client(reconnection=False)
        self.sent_at = 0.0
        self.screen_at = 0.0
        self.sio.on("screen", self._screen, namespace="/kiosk")
        self.sio.connect(
            f"http://127.0.0.1:{port}",
            namespaces=["/kiosk"],
            transports=["websocket"],
            auth={"device_token": kiosk.device_token, "session_token": kiosk.token},
            wait_timeout=30,
        )

    def _screen(self, _payload: Any) -> None:
        if self.sent_at and not self.screen_at:
            self.screen_at = time.perf_counter()


def _input_body(kind: str, n: int, tag: str) -> dict[str, Any]:
    input_id = f"{tag}-{n}"
    if kind == "scan":
        return {"input_id": input_id, "scan": "A-01-01"}
    return {"input_id": input_id, "action": "home"}


def _timed_socket_input(link: SocketKiosk, body: dict[str, Any]) -> tuple[float, bool]:
    link.screen_at = 0.0
    sent = time.perf_counter()
    link.sent_at = sent
    ack = link.sio.call("input", body, namespace="/kiosk", timeout=30)
    acked = time.perf_counter()
    link.sent_at = 0.0
    first = min(link.screen_at or acked, acked)
    return first - sent, bool(isinstance(ack, dict) and ack.get("screen") and not ack.get("error"))


def _timed_ping(link: SocketKiosk) -> tuple[float, bool]:
    sent = time.perf_counter()
    ack = link.sio.call("ping", namespace="/kiosk", timeout=30)
    return time.perf_counter() - sent, bool(isinstance(ack, dict) and ack.get("pong"))


def _timed_http_input(conn: Http, kiosk: Kiosk, body: dict[str, Any]) -> tuple[float, bool]:
    sent = time.perf_counter()
    status, reply = conn.call("POST", f"{FLOOR}/sessions/{kiosk.session_id}/inputs", body)
    return time.perf_counter() - sent, status == 200 and bool(reply.get("screen"))


def _run_phase(
    senders: list[Callable[[int], tuple[float, bool]]],
    seconds: float,
    period: float,
    start: float,
    slots: tuple[int, int],
) -> tuple[int, int, list[float]]:
    """Each sender in its own thread: closed loop (period 0) or one input per period, the
    senders of all processes spread evenly over the period (`slots`: first index, total)."""
    latencies: list[list[float]] = [[] for _ in senders]
    errors = [0] * len(senders)
    end = start + seconds

    def loop(i: int) -> None:
        send, n = senders[i], 0
        offset = period * (slots[0] + i) / slots[1] if period else 0.0
        _sleep_until(start + offset)
        while time.time() < end:
            try:
                latency, ok = send(n)
            except Exception:
                ok, latency = False, 0.0
            if ok:
                latencies[i].append(latency * 1000)
            else:
                errors[i] += 1
            n += 1
            if period:
                _sleep_until(start + offset + n * period)

    threads = [threading.Thread(target=loop, args=(i,), daemon=True) for i in range(len(senders))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 60)
    flat = [x for per in latencies for x in per]
    return len(flat), sum(errors), flat


def _sleep_until(at: float) -> None:
    delay = at - time.time()
    if delay > 0:
        time.sleep(delay)


Sender = Callable[[int], tuple[float, bool]]


def _senders(
    phase: str, links: list[SocketKiosk], conns: list[Http], kiosks: list[Kiosk], kind: str
) -> list[Sender]:
    """One sender per kiosk for the phase; input ids are unique per run, kiosk and n."""
    run = os.urandom(4).hex()

    def socket_input(i: int) -> Sender:
        return lambda n: _timed_socket_input(links[i], _input_body(kind, n, f"{run}-{i}"))

    def http_input(i: int) -> Sender:
        return lambda n: _timed_http_input(conns[i], kiosks[i], _input_body(kind, n, f"{run}-{i}"))

    def ping(i: int) -> Sender:
        return lambda _n: _timed_ping(links[i])

    make = (
        socket_input
        if phase.startswith("socket")
        else ping
        if phase.startswith("echo")
        else http_input
    )
    return [make(i) for i in range(len(kiosks))]


def client_process(
    port: int, kiosks: list[Kiosk], kind: str, pipe: Connection, slots: tuple[int, int]
) -> None:
    """Connect one socket per kiosk, then run the phases the parent asks for."""
    with ThreadPoolExecutor(16) as pool:
        links = list(pool.map(lambda k: SocketKiosk(port, k), kiosks))
    conns = [
        Http(port, {"X-Device-Token": k.device_token, "Authorization": f"Bearer {k.token}"})
        for k in kiosks
    ]
    pipe.send("connected")
    while (order := pipe.recv()) is not None:
        phase, seconds, period, start = order
        senders = _senders(phase, links, conns, kiosks, kind)
        pipe.send(_run_phase(senders, seconds, period, start, slots))
    for link in links:
        link.sio.disconnect()
    for conn in conns:
        conn.close()


# ---------------------------------------------------------------- the parent


class Clients:
    """Client processes, each with its share of the kiosks and their open sockets."""

    def __init__(self, port: int, kiosks: list[Kiosk], procs: int, input_kind: str) -> None:
        ctx = mp.get_context("spawn")
        self.pipes: list[Connection] = []
        self.procs = []
        share = (len(kiosks) + procs - 1) // procs
        for first in range(0, len(kiosks), share):
            mine, theirs = ctx.Pipe()
            args = (port, kiosks[first : first + share], input_kind, theirs, (first, len(kiosks)))
            proc = ctx.Process(target=client_process, args=args, daemon=True)
            proc.start()
            self.pipes.append(mine)
            self.procs.append(proc)
        for pipe in self.pipes:
            if not pipe.poll(120) or pipe.recv() != "connected":
                raise SystemExit("a client process did not connect its sockets")

    def run(self, phase: str, seconds: float, rate: float = 0.0, sessions: int = 0) -> Result:
        period = sessions / rate if rate else 0.0
        start = time.time() + 0.5
        for pipe in self.pipes:
            pipe.send((phase, seconds, period, start))
        count = errors = 0
        latencies: list[float] = []
        for pipe in self.pipes:
            c, e, lat = pipe.recv()
            count, errors = count + c, errors + e
            latencies.extend(lat)
        return Result(phase, count, errors, seconds, latencies)

    def close(self) -> None:
        for pipe in self.pipes:
            pipe.send(None)
        for proc in self.procs:
            proc.join(30)
            if proc.is_alive():
                proc.terminate()


@contextmanager
def profiling(pid: int, out: str, seconds: float) -> Iterator[None]:
    """py-spy (pip install py-spy) on the server's worker while the phase runs."""
    spy = Path(sys.executable).with_name("py-spy")
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    worker = children[0] if children else str(pid)  # gunicorn's one worker
    command = [str(spy), "record", "--pid", worker, "--format", "raw", "--rate", "100"]
    command += ["--gil", "-o", out]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield
    finally:
        proc.send_signal(signal.SIGINT)  # py-spy writes its file on Ctrl-C
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()


def _worker(pid: int) -> int:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return int(children[0]) if children else pid  # gunicorn's one worker


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def row(label: str, result: Result, raw: float | None) -> str:
    rate = result.count / result.seconds
    ratio = f"{rate / raw:.0%}" if raw else ""
    lat = result.latencies_ms
    return (
        f"| {label} | {rate:,.0f}/s | {ratio} | {pct(lat, 0.5):.1f} | {pct(lat, 0.99):.1f} | "
        f"{max(lat, default=float('nan')):.1f} | {result.errors} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--procs", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--input", choices=("home", "scan"), default="home")
    parser.add_argument("--threads", type=int, default=300)
    parser.add_argument(
        "--profile", metavar="FILE", help="py-spy the server (collapsed stacks) in phase PHASE"
    )
    parser.add_argument("--profile-phase", default="socket", metavar="PHASE")
    args = parser.parse_args()
    if args.threads < args.sessions + 60:
        raise SystemExit("--threads must be >= sessions + 60: every websocket holds a thread")
    what = "the `home` action on the home screen" if args.input == "home" else "a scan on home"
    print(f"load before: {os.getloadavg()}  (cores: {os.cpu_count()})")
    with running_server(args.threads) as (port, admin, pid):
        started = time.perf_counter()
        kiosks = open_sessions(port, admin, args.sessions)
        print(
            f"{len(kiosks)} kiosks enrolled and logged in ({time.perf_counter() - started:.1f} s)"
        )
        clients = Clients(port, kiosks, args.procs, args.input)
        print(f"{args.sessions} sockets connected in {len(clients.procs)} client processes")
        try:
            n, secs = args.sessions, args.seconds
            clients.run("echo", 2)  # warm-up

            worker, cpu_ms = _worker(pid), {}

            def run(phase: str, rate: float = 0.0) -> Result:
                before = ceiling.cpu(worker)
                if args.profile and phase == args.profile_phase:
                    with profiling(pid, args.profile, secs):
                        result = clients.run(phase, secs, rate, n)
                else:
                    result = clients.run(phase, secs, rate, n)
                cpu_ms[phase] = (ceiling.cpu(worker) - before) * 1000 / max(result.count, 1)
                return result

            echo = run("echo")
            http_closed = run("http")
            socket_closed = run("socket")
            socket_fixed = run("socket-fixed", args.rate)
            http_fixed = run("http-fixed", args.rate)
            echo_fixed = run("echo-fixed", args.rate)
        finally:
            clients.close()
    bare = ceiling.measure(5.0, args.sessions // 2, 64)
    load = os.getloadavg()
    print(f"\ninput: {what}; {args.sessions} sessions, all with an open socket")
    print("| phase | rate | of echo | p50 ms | p99 ms | max ms | errors |")
    print("|---|---|---|---|---|---|---|")
    raw = echo.count / echo.seconds
    print(row("raw Socket.IO echo (`ping`), closed loop", echo, None))
    print(row("HTTP inputs, closed loop", http_closed, raw))
    print(row("Socket.IO inputs, closed loop", socket_closed, raw))
    print(row(f"Socket.IO inputs at {args.rate:.0f}/s", socket_fixed, raw))
    print(row(f"HTTP inputs at {args.rate:.0f}/s", http_fixed, raw))
    print(row(f"Socket.IO echo at {args.rate:.0f}/s (the transport's own tail)", echo_fixed, raw))
    p99 = pct(socket_fixed.latencies_ms, 0.99)
    verdict = "meets" if p99 <= 50 else "misses"
    print(f"\nSocket.IO p99 at {args.rate:.0f} inputs/s: {p99:.1f} ms ({verdict} the 50 ms target)")
    for name, phase in (("HTTP", "http"), ("Socket.IO", "socket")):
        ratio = cpu_ms[phase] / bare[phase.replace("socket", "socketio")]
        print(
            f"server CPU per {name} input (closed loop) {cpu_ms[phase]:.2f} ms; ceiling (bare "
            f"Flask + one durable commit) {bare[phase.replace('socket', 'socketio')]:.2f} ms: "
            f"{ratio:.2f}x"
        )
    cheaper = "met" if cpu_ms["socket"] <= cpu_ms["http"] else "NOT met"
    print(f"target Socket.IO inputs no dearer than HTTP ones: {cheaper}")
    print(f"load after: {load}")
    if statistics.fmean(load[:1]) > (os.cpu_count() or 1) * 1.5:
        print("the machine is busy (load above 1.5 x cores): figures may be depressed; run again")


if __name__ == "__main__":
    main()
