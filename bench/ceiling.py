"""The ceiling of a floor input, measured in the same run as the floor benchmarks.

    .venv/bin/python bench/ceiling.py [--seconds 5] [--clients 100]

A bare Flask app (with Flask-SocketIO, as Floorlink's) that takes a floor input's JSON body,
commits one durable SQLite row (WAL, synchronous=FULL) and answers a small JSON screen,
served under the same configuration as `floorlink serve` (gunicorn, one gthread worker,
the same threads and keep-alive, the worker pinned to one CPU as server.cpu "auto" does).
Its server CPU per request, over HTTP (keep-alive POST) and Socket.IO (`input` with an
ack), is what a floor input can cost at best: bench/picking.py and bench/floor.py print
their CPU per input beside it, as a ratio (issue 17: a pick scan <= 1.5x the ceiling).
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
BODY = {"input_id": "i1", "scan": "4006381333931"}


# --- the bare app (imported by gunicorn in its own process) ---------------------------------


def create_app() -> Any:
    from flask import Flask, request
    from flask_socketio import SocketIO

    path = os.environ["CEILING_DB"]
    local = threading.local()

    def commit(body: dict[str, Any]) -> dict[str, Any]:
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = sqlite3.connect(path, isolation_level=None, timeout=10)
            conn.execute("PRAGMA synchronous=FULL")
        with lock:  # one writer at a time, as Floorlink's SerializedWriters
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO t (v) VALUES (?)", (json.dumps(body),))
            conn.execute("COMMIT")
        return {"screen": {"name": "pick.scan_location", "title": "Scan", "target": body}}

    lock = threading.Lock()
    setup = sqlite3.connect(path)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT)")
    setup.close()
    app = Flask(__name__, static_folder=None)
    app.config["SECRET_KEY"] = "ceiling"
    sio = SocketIO(app, async_mode="threading", cors_allowed_origins=[], async_handlers=False)

    @app.post("/inputs")
    def inputs() -> Any:
        return commit(request.get_json())

    @sio.on("input", namespace="/kiosk")
    def on_input(body: dict[str, Any]) -> Any:
        return commit(body)

    return app


def post_worker_init(worker: Any) -> None:
    sys.path.insert(0, str(ROOT))
    from server import affinity

    cpu = affinity.choose_cpu("auto", affinity.allowed_cpus())
    if cpu is not None:
        affinity.pin_process(cpu)


# --- the load -------------------------------------------------------------------------------


def _http_client(port: int, end: float, out: list[int]) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.connect()
    conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    payload, headers = json.dumps(BODY).encode(), {"Content-Type": "application/json"}
    n = 0
    while time.time() < end:
        conn.request("POST", "/inputs", payload, headers)
        conn.getresponse().read()
        n += 1
    out.append(n)


def _socket_client(port: int, end: float, out: list[int]) -> None:
    import socketio

    sio = socketio.Client(reconnection=False)
    sio.connect(f"http://127.0.0.1:{port}", namespaces=["/kiosk"], transports=["websocket"])
    n = 0
    while time.time() < end:
        sio.call("input", BODY, namespace="/kiosk", timeout=60)
        n += 1
    sio.disconnect()
    out.append(n)


def _load_process(kind: str, port: int, clients: int, start: float, end: float, q: Any) -> None:
    target = _http_client if kind == "http" else _socket_client
    out: list[int] = []
    threads = [threading.Thread(target=target, args=(port, end, out)) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    q.put(sum(out))


def cpu(pid: int) -> float:
    """A process's user + system CPU seconds (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _phase(kind: str, port: int, pid: int, clients: int, seconds: float, procs: int) -> float:
    """Server CPU ms per request over `seconds` of saturated load."""
    ctx = mp.get_context("fork")
    q = ctx.Queue()
    start = time.time()
    end = start + seconds
    parts = [clients // procs + (i < clients % procs) for i in range(procs)]
    ps = [ctx.Process(target=_load_process, args=(kind, port, n, start, end, q)) for n in parts]
    before = cpu(pid)
    for p in ps:
        p.start()
    done = sum(q.get(timeout=seconds + 120) for _ in ps)
    used = cpu(pid) - before
    for p in ps:
        p.join(30)
    return used * 1000 / max(done, 1)


def measure(seconds: float = 5.0, clients: int = 100, threads: int = 64) -> dict[str, float]:
    """{"http": ms, "socketio": ms}: the bare app's server CPU per request."""
    with tempfile.TemporaryDirectory(prefix="floorlink-ceiling-") as tmp:
        port = _free_port()
        conf = Path(tmp) / "conf.py"
        conf.write_text(
            f"import sys; sys.path.insert(0, {str(ROOT / 'bench')!r})\n"
            "from ceiling import post_worker_init\n"
        )
        env = os.environ | {"CEILING_DB": str(Path(tmp) / "ceiling.db")}
        cmd = [
            GUNICORN, "-c", str(conf), "--workers", "1", "--worker-class", "gthread",
            "--threads", str(threads), "--keep-alive", "30", "--timeout", "60",
            "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
            "--chdir", str(ROOT / "bench"), "ceiling:create_app()",
        ]  # fmt: skip
        server = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL)
        try:
            pid = _wait(port, server.pid)
            return {
                "http": _phase("http", port, pid, clients, seconds, 4),
                "socketio": _phase("socketio", port, pid, clients, seconds, 4),
            }
        finally:
            server.terminate()
            server.wait(15)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(port: int, master: int) -> int:
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("POST", "/inputs", json.dumps(BODY), {"Content-Type": "application/json"})
            if conn.getresponse().status == 200:
                children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
                return int(children[0])
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the ceiling app did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=100)
    args = parser.parse_args()
    found = measure(args.seconds, args.clients)
    print(
        f"ceiling (bare Flask + one durable SQLite commit, same gunicorn configuration): "
        f"HTTP {found['http']:.2f} ms CPU/request, Socket.IO {found['socketio']:.2f} ms"
    )


if __name__ == "__main__":
    main()
