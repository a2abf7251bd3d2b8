"""Picking against 1, 2 and 4 `floorlink serve` processes on PostgreSQL behind HAProxy.

    bash scripts/with-postgres.sh .venv/bin/python bench/scale_out.py \
        [--processes 1,2,4] [--pickers 100] [--seconds 10] [--rate 200] \
        [--mqtt] [--no-picking] [--mqtt-events 20000] [--mqtt-devices 200]

For each count N: a fresh PostgreSQL database (created beside the one in
FLOORLINK_TEST_DATABASE_URL or --database-url, dropped after), a Redis on a free port as
Socket.IO's message queue, N `floorlink serve` processes (each on a CPU of its own while N <= CPUs, else unpinned),
and HAProxy with deploy/haproxy.cfg in front. The pickers of bench/picking.py (same site,
same walk, same load generators on the same machine) drive the floor API through HAProxy:
a saturated phase (scans/s) and a paced one (p99 at --rate). Printed beside each: the raw
PostgreSQL commit rate measured in the same run (one row per commit), the CPU per scan of
the servers, of PostgreSQL (every `postgres` process of the host), of HAProxy, of Redis
and of the load generators, and how busy the host's cores were over both phases: where
the 2 cores went, when 2 processes do not serve 1.5x what 1 does.

`--mqtt` adds, for each N, MQTT ingest: events/s taken in by N partitions from many
simulated devices through one Mosquitto (bench/scale_out_mqtt.py), beside the raw commit
rate of that run; `--no-picking` leaves the picking part out.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import picking
from orders import Server, free_port, raw_postgres
from scale_out_mqtt import run_mqtt, show

ROOT = Path(__file__).resolve().parents[1]


def other_database(url: str, name: str) -> str:
    return urlunparse(urlparse(url)._replace(path=f"/{name}"))


def psql(admin: str, sql: str) -> None:
    subprocess.run(["psql", "-q", admin, "-c", sql], check=True, capture_output=True)


def wait_port(port: int, proc: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.time() + 20
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen")


def tree_cpu(pid: int) -> float:
    """User + system CPU seconds of a process and its children (gunicorn's worker)."""
    total = sum(picking.cpu_seconds(pid))
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        for child in children.read_text().split():
            with contextlib.suppress(FileNotFoundError):  # a child that just ended
                total += sum(picking.cpu_seconds(int(child)))
    return total


def postgres_cpu() -> float:
    """CPU seconds of this host's PostgreSQL: every `postgres` process (the backends serving
    the run, the checkpointer, the WAL writer...) and, through the postmaster's
    children's times, the backends that ended. Compare two readings only."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            text = stat.read_text()
            if text[text.index("(") + 1 : text.rindex(")")] != "postgres":
                continue
            fields = text.rsplit(")", 1)[1].split()
            total += sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
    return total / tick


def host_cpu() -> tuple[float, float]:
    """(busy, total) jiffies of every core, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


def host_busy(before: tuple[float, float], after: tuple[float, float]) -> float:
    busy, total = after[0] - before[0], after[1] - before[1]
    return busy / total if total else 0.0


def max_connections(url: str) -> int:
    import psycopg2

    with contextlib.closing(psycopg2.connect(url)) as conn, conn.cursor() as cur:
        cur.execute("SHOW max_connections")
        return int(cur.fetchone()[0])


RESERVED = 15  # PostgreSQL's superuser slots, this script's own, a CLI run


def threads_that_fit(limit: int, counts: list[int], wanted: int) -> int:
    """Server threads per process such that N pools of threads + 8 connections (server/app.py)
    fit in max_connections for every N run: past it PostgreSQL refuses new connections
    ("too many clients"), which the servers answer as 503 busy, and a run measures that."""
    return max(1, min([wanted] + [(limit - RESERVED) // n - 8 for n in counts]))


def run_one(n: int, args: Any, base_url: str, workdir: Path) -> dict[str, Any]:
    name = f"{urlparse(base_url).path.lstrip('/')}_scale{n}"
    admin, url = other_database(base_url, "postgres"), other_database(base_url, name)
    psql(admin, f'DROP DATABASE IF EXISTS "{name}"')
    psql(admin, f'CREATE DATABASE "{name}"')
    redis_port = free_port()
    redis = subprocess.Popen(
        ["redis-server", "--port", str(redis_port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    servers: list[Server] = []
    lb: subprocess.Popen[bytes] | None = None
    try:
        wait_port(redis_port, redis, "redis")
        cpus = sorted(os.sched_getaffinity(0))
        for i in range(n):
            server = Server(url, workdir)
            server.env |= {
                "FLOORLINK_REALTIME__REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
                # a CPU each while there are enough (as deploy/systemd's units), else none
                "FLOORLINK_SERVER__CPU": str(cpus[i]) if n <= len(cpus) else "off",
                "FLOORLINK_SERVER__THREADS": str(args.threads),
            }
            server.start()
            servers.append(server)
        lb_port = free_port()
        env = os.environ | {"FLOORLINK_LB_BIND": f"127.0.0.1:{lb_port}"}
        env |= {f"FLOORLINK_SERVE_{i + 1}": f"127.0.0.1:{s.port}" for i, s in enumerate(servers)}
        config = (ROOT / "deploy" / "haproxy.cfg").read_text()
        extra = "".join(
            f'    server serve{i} "${{FLOORLINK_SERVE_{i}}}" check cookie serve{i}\n'
            for i in range(3, n + 1)
        )
        if n == 1:  # the shipped file names two servers: keep the first only
            config = config.replace(
                '    server serve2 "${FLOORLINK_SERVE_2}" check cookie serve2\n', ""
            )
        # the pickers log in first and then wait for every other one (minutes with 100):
        # their idle keep-alive connections must outlive that wait
        config = config.replace("timeout http-keep-alive 10s", "timeout http-keep-alive 600s")
        config = config.replace("timeout client 60s", "timeout client 600s")
        cfg = workdir / f"haproxy-{n}.cfg"
        cfg.write_text(config + extra)
        lb = subprocess.Popen(
            [shutil.which("haproxy") or "/usr/sbin/haproxy", "-db", "-f", str(cfg)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_port(lb_port, lb, "haproxy")
        time.sleep(2.5)  # health checks mark every server up
        key = servers[0].cli("apikey", "create", "bench", "--scope", "oms").splitlines()[0]
        per = args.orders // args.pickers * 2 + 10
        totes = {i: [f"T{i:03d}-{k:04d}" for k in range(per)] for i in range(args.pickers)}
        picking.load_site(lb_port, key, args.orders, [c for t in totes.values() for c in t])
        codes = picking.seed_floor(url, args.pickers)
        jobs = [(i, codes[i], totes[i]) for i in range(args.pickers)]
        raw = raw_postgres(url, 3.0)
        pids = [s.proc.pid for s in servers if s.proc is not None]
        before_host = host_cpu()

        def reading() -> tuple[float, ...]:
            servers_cpu = sum(tree_cpu(p) for p in pids)
            return servers_cpu, tree_cpu(lb.pid), postgres_cpu(), tree_cpu(redis.pid)

        before = reading()
        phases, _ = picking.drive(lb_port, picking._worker_pid(pids[0]), jobs, args)
        after = reading()
        scans = max(1, len(phases[0]) + len(phases[1]))
        ms = [(a - b) * 1000 / scans for a, b in zip(after, before, strict=True)]
        return {
            "n": n,
            "raw": raw,
            "phases": phases,
            "server_ms": ms[0],
            "haproxy_ms": ms[1],
            "postgres_ms": ms[2],
            "redis_ms": ms[3],
            # the host's CPU over the phases, as a share of all its cores (every process)
            "host_busy": host_busy(before_host, host_cpu()),
        }
    finally:
        if lb is not None:
            lb.terminate()
            lb.wait(10)
        for server in servers:
            server.stop()
        redis.terminate()
        redis.wait(10)
        psql(admin, f'DROP DATABASE IF EXISTS "{name}"')


def run_mqtt_one(n: int, args: Any, base_url: str, workdir: Path) -> None:
    name = f"{urlparse(base_url).path.lstrip('/')}_mqtt{n}"
    admin, url = other_database(base_url, "postgres"), other_database(base_url, name)
    psql(admin, f'DROP DATABASE IF EXISTS "{name}"')
    psql(admin, f'CREATE DATABASE "{name}"')
    try:
        raw = raw_postgres(url, 3.0)
        show(run_mqtt(n, args, url, workdir, tree_cpu), raw)
    finally:
        psql(admin, f'DROP DATABASE IF EXISTS "{name}"')


def rate_and_p99(result: dict[str, Any], seconds: float) -> tuple[float, float]:
    rate = len(result["phases"][0]) / seconds
    paced = sorted(s[1] for s in result["phases"][1])
    p99 = paced[max(0, int(len(paced) * 0.99) - 1)] * 1000 if paced else float("inf")
    return rate, p99


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("FLOORLINK_TEST_DATABASE_URL"))
    parser.add_argument("--processes", default="1,2,4")
    parser.add_argument("--pickers", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--procs", type=int, default=4, help="load generator processes")
    parser.add_argument("--threads", type=int, default=64)
    parser.add_argument("--picking", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--mqtt", action="store_true", help="MQTT ingest too")
    parser.add_argument("--mqtt-events", type=int, default=20000)
    parser.add_argument("--mqtt-devices", type=int, default=200)
    parser.add_argument("--mqtt-publishers", type=int, default=2)
    args = parser.parse_args()
    args.profile = None
    if not args.database_url:
        sys.exit("a PostgreSQL URL: --database-url or FLOORLINK_TEST_DATABASE_URL")
    counts = [int(c) for c in args.processes.split(",")]
    print(f"load: {os.getloadavg()}  cores: {os.cpu_count()}  pickers: {args.pickers}")
    limit = max_connections(args.database_url)
    threads = threads_that_fit(limit, counts, args.threads)
    if threads < args.threads:
        print(
            f"server threads per process: {threads}, not {args.threads}: PostgreSQL's "
            f"max_connections is {limit} and {max(counts)} pools of threads + 8 must fit "
            "(deploy/postgresql-floorlink.conf sets 400); the same for every count"
        )
        args.threads = threads
    results = []
    with tempfile.TemporaryDirectory(prefix="floorlink-scale-") as tmp:
        for n in counts:
            print(f"--- {n} process(es)")
            if args.mqtt:
                run_mqtt_one(n, args, args.database_url, Path(tmp))
            if not args.picking:
                continue
            result = run_one(n, args, args.database_url, Path(tmp))
            results.append(result)
            print(f"raw PostgreSQL commits/s {result['raw']:7.0f} (one row per commit)")
            print(f"saturated   {picking.summary(result['phases'][0], args.seconds)}")
            print(f"paced {args.rate:.0f}/s {picking.summary(result['phases'][1], args.seconds)}")
            print(
                f"CPU per scan: servers {result['server_ms']:.2f} ms, "
                f"PostgreSQL {result['postgres_ms']:.2f} ms, "
                f"HAProxy {result['haproxy_ms']:.2f} ms, Redis {result['redis_ms']:.2f} ms "
                f"(load generators: above); the host's {os.cpu_count()} cores "
                f"{result['host_busy']:.0%} busy over both phases"
            )
    base = next((r for r in results if r["n"] == 1), None)
    two = next((r for r in results if r["n"] == 2), None)
    if base and two:
        (r1, p1), (r2, p2) = rate_and_p99(base, args.seconds), rate_and_p99(two, args.seconds)
        met = "met" if r2 >= 1.5 * r1 and p2 <= p1 else "NOT met"
        print(
            f"target 2 processes >= 1.5x the scans/s of 1 at no worse paced p99: {met} "
            f"({r2 / max(r1, 1e-9):.2f}x: {r2:.0f} vs {r1:.0f} scans/s; p99 {p2:.1f} vs {p1:.1f} ms)"
        )


if __name__ == "__main__":
    main()
