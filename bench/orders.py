"""Orders of 10 lines accepted per second through the real HTTP server, 8 concurrent clients.

    .venv/bin/python bench/orders.py [--seconds 10] [--clients 8] [--pg URL|--no-pg]

Starts `floorlink serve` (gunicorn, threaded) as a subprocess on a free port against a fresh
SQLite file (and a fresh PostgreSQL database when the local server is reachable), loads a
catalogue and stock through the API, then lets 8 client processes (keep-alive http.client)
post orders for a fixed time. Prints the rate beside the raw single-row durable commit rate
of the same database measured in the same run, and the ratio.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import random
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg2

FLOORLINK = str(Path(sys.executable).parent / "floorlink")
SKUS = 200
LINES = 10
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def gtin13(n: int) -> str:
    body = f"400638{n:06d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


# --- raw limits -----------------------------------------------------------------------------


def raw_sqlite(path: Path, seconds: float) -> float:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT)")
    count, end = 0, time.perf_counter() + seconds
    while time.perf_counter() < end:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t (v) VALUES (?)", ("x" * 32,))
        conn.execute("COMMIT")
        count += 1
    conn.close()
    return count / seconds


def raw_postgres(url: str, seconds: float) -> float:
    conn = psycopg2.connect(url)
    with conn.cursor() as cur:
        cur.execute("CREATE TABLE IF NOT EXISTS bench_raw (id SERIAL PRIMARY KEY, v TEXT)")
    conn.commit()
    count, end = 0, time.perf_counter() + seconds
    with conn.cursor() as cur:
        while time.perf_counter() < end:
            cur.execute("INSERT INTO bench_raw (v) VALUES (%s)", ("x" * 32,))
            conn.commit()
            count += 1
        cur.execute("DROP TABLE bench_raw")
    conn.commit()
    conn.close()
    return count / seconds


# --- the server -----------------------------------------------------------------------------


class Server:
    def __init__(self, database_url: str, workdir: Path) -> None:
        self.port = free_port()
        self.env = os.environ | {
            "FLOORLINK_DATABASE_URL": database_url,
            "FLOORLINK_SECRET_KEY": "bench-secret",
            "FLOORLINK_RELAY__ENABLED": "false",
            "FLOORLINK_MQTT__ENABLED": "false",
            "FLOORLINK_LOG_LEVEL": "WARNING",
        }
        self.env.pop("FLOORLINK_CONFIG", None)
        self.workdir = workdir
        self.proc: subprocess.Popen[bytes] | None = None

    def cli(self, *args: str) -> str:
        out = subprocess.run(
            [FLOORLINK, *args], env=self.env, cwd=self.workdir, capture_output=True
        )
        if out.returncode != 0:
            said = (out.stderr or out.stdout).decode().strip()
            raise RuntimeError(f"floorlink {' '.join(args)} failed ({out.returncode}): {said}")
        return out.stdout.decode().strip()

    def start(self) -> None:
        self.cli("db", "upgrade")
        self.log = (self.workdir / f"serve-{self.port}.log").open("wb")
        self.proc = subprocess.Popen(
            [FLOORLINK, "serve", "--port", str(self.port)],
            env=self.env,
            cwd=self.workdir,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                status, _ = request(self.port, "GET", "/api/v1/health", None, {})
                if status == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"the server did not start; see {self.log.name}")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(15)
            self.log.close()


def request(
    port: int, method: str, path: str, body: Any, headers: dict[str, str]
) -> tuple[int, Any]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        payload = json.dumps(body).encode() if body is not None else None
        conn.request(method, path, payload, {"Content-Type": "application/json", **headers})
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        conn.close()


def load_site(port: int, key: str) -> None:
    auth = {"Authorization": f"Bearer {key}"}
    locations = [
        {"code": f"A-{i:03d}", "zone": "A", "kind": "pick", "walk_sequence": i * 10}
        for i in range(SKUS)
    ]
    products = [
        {
            "sku": f"B-{i}",
            "name": f"Bench item {i}",
            "barcodes": [gtin13(i)],
            "weight_g": 100,
            "dims_mm": [10, 10, 10],
        }
        for i in range(SKUS)
    ]
    stock = [
        {"sku": f"B-{i}", "location": f"A-{i:03d}", "delta": 1_000_000, "reason": "bench"}
        for i in range(SKUS)
    ]
    for path, method, body in (
        ("/api/v1/locations", "PUT", {"locations": locations}),
        ("/api/v1/products", "PUT", {"products": products}),
        ("/api/v1/stock/adjustments", "POST", {"adjustments": stock}),
    ):
        status, answer = request(port, method, path, body, auth)
        if status != 200:
            raise RuntimeError(f"{method} {path}: {status} {answer}")


# --- the clients ----------------------------------------------------------------------------


def client(port: int, key: str, tag: str, seconds: float, out: Any) -> None:
    rng = random.Random(tag)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.connect()
    conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    statuses: dict[int, int] = {}
    latencies: list[float] = []
    n, end = 0, time.perf_counter() + seconds
    while time.perf_counter() < end:
        n += 1
        external_id = f"{tag}-{n}"
        skus = rng.sample(range(SKUS), LINES)
        body = json.dumps(
            {
                "external_id": external_id,
                "channel": "web",
                "priority": 5,
                "ship_by": "2030-01-01T12:00:00Z",
                "lines": [
                    {"line_id": str(j), "sku": f"B-{s}", "qty": rng.randint(1, 3)}
                    for j, s in enumerate(skus)
                ],
            }
        ).encode()
        headers = {
            "Authorization": f"Bearer {key}",
            "Content-Type": "application/json",
            "Idempotency-Key": external_id,
        }
        started = time.perf_counter()
        conn.request("POST", "/api/v1/orders", body, headers)
        response = conn.getresponse()
        response.read()
        latencies.append(time.perf_counter() - started)
        statuses[response.status] = statuses.get(response.status, 0) + 1
    conn.close()
    out.put((statuses, latencies))


def hammer(port: int, key: str, clients: int, seconds: float, run: str) -> dict[str, Any]:
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    procs = [
        ctx.Process(target=client, args=(port, key, f"{run}{i}", seconds, queue))
        for i in range(clients)
    ]
    for p in procs:
        p.start()
    results = [queue.get(timeout=seconds + 120) for _ in procs]
    for p in procs:
        p.join(30)
    statuses: dict[int, int] = {}
    latencies: list[float] = []
    for s, lat in results:
        for code, count in s.items():
            statuses[code] = statuses.get(code, 0) + count
        latencies += lat
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1] if latencies else 0.0
    return {"rate": statuses.get(201, 0) / seconds, "statuses": statuses, "p99_ms": p99 * 1000}


def bench(label: str, database_url: str, raw: float, workdir: Path, args: Any) -> None:
    server = Server(database_url, workdir)
    try:
        server.start()
        key = server.cli("apikey", "create", "bench", "--scope", "oms").splitlines()[0]
        load_site(server.port, key)
        hammer(server.port, key, args.clients, 1.0, "warm")
        result = hammer(server.port, key, args.clients, args.seconds, label)
    finally:
        server.stop()
    print(
        f"{label:<11} orders/s {result['rate']:7.1f}   raw commits/s {raw:7.0f}   "
        f"ratio {result['rate'] / raw:5.3f}   p99 {result['p99_ms']:6.1f} ms   "
        f"statuses {result['statuses']}"
    )


def postgres_db(url: str | None) -> tuple[str, str] | None:
    """A fresh database on the local server: (its URL, its name), or None if unreachable."""
    admin = url or PG_ADMIN
    try:
        conn = psycopg2.connect(admin, connect_timeout=3)
    except psycopg2.OperationalError:
        return None
    name = f"floorlink_bench_{os.getpid()}"
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    return admin.rsplit("/", 1)[0] + "/" + name, name


def drop_postgres(name: str, url: str | None) -> None:
    conn = psycopg2.connect(url or PG_ADMIN)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--pg", default=None, help="an admin URL of PostgreSQL (createdb)")
    parser.add_argument("--no-pg", action="store_true")
    args = parser.parse_args()
    print(f"load: {os.getloadavg()}  cores: {os.cpu_count()}  clients: {args.clients}")
    with tempfile.TemporaryDirectory(prefix="floorlink-bench-") as tmp:
        workdir = Path(tmp)
        raw = raw_sqlite(workdir / "raw.db", 3.0)
        bench("sqlite", f"sqlite:///{workdir / 'bench.db'}", raw, workdir, args)
        made = None if args.no_pg else postgres_db(args.pg)
        if made is None:
            print("postgresql  skipped (not reachable)")
            return
        url, name = made
        try:
            bench("postgresql", url, raw_postgres(url, 3.0), workdir, args)
        finally:
            drop_postgres(name, args.pg)


if __name__ == "__main__":
    main()
