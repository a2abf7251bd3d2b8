"""A day-long OMS outage, time-compressed (issue 16): a busy day's backlog waits, then drains.

    .venv/bin/python bench/outage.py [--events 500000] [--subjects 5000] [--hours 24]
        [--minutes 4] [--workers 8] [--database-url sqlite:////tmp/x.db]
    make soak                      # the same, with its defaults

What runs, all real processes: the webhook relay as `floorlink relay` (its own process, whose
RSS is sampled every half second from /proc), configured by a TOML file like any site, with
the documented retry schedule (`relay.retry_schedule_s`, docs/webhooks.md) divided by the
compression factor (`--hours` of outage played in `--minutes`); the OMS as a loopback
receiver in a process of its own (bench/webhooks.py's http.server with keep-alive). The
day's events are committed through the product's own path, the spine and the event log
(`eventlog.append`, per-subject `seq`), 1,000 events per command, while the relay fans them
out into deliveries; nothing is inserted behind the product's back.

The outage: connection refused (nothing listens on the OMS port) for the first half of the
compressed day, then 503 without Retry-After for the second half. The figures: how many
attempts each subject's head had and how many were dead-lettered against what the schedule
says for that many hours (docs/webhooks.md: the 10th failure, at ~75.6 h, dead-letters), no
delivery before the OMS is back, then the drain: its time and deliveries/s, order per
subject as the receiver saw it (0 inversions), every event delivered (the dead-lettered ones
excepted), the relay's RSS (idle, peak per phase, end) and CPU per delivery, and the raw rate
of one keep-alive client POSTing to the same receiver at the start and the end.

A benchmark, not a test: not in `make test`, not in `make bench` (bench/run_all.py skips it).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from webhooks import BenchEmit, bench_spine, fresh_db, raw_rate  # noqa: E402

from server import db  # noqa: E402
from server.models import WebhookDelivery  # noqa: E402
from server.spine import Actor, Spine  # noqa: E402
from server.sync.endpoints import CreateEndpoint, SetEndpointStatus  # noqa: E402
from server.sync.schedule import SCHEDULE_S  # noqa: E402

BENCH = Actor("system", "outage-bench")
FLOORLINK = str(Path(sys.executable).parent / "floorlink")
PER_COMMAND = 1000
D = WebhookDelivery


# --- the OMS: a receiver process that is refused, then 503, then 200 -----------------------


class Sink:
    """What the OMS saw on its hooks path: attempts, answers, order per subject."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.status = 503
        self.attempts = 0
        self.refused_503 = 0
        self.accepted = 0
        self.ids: set[str] = set()
        self.duplicates = 0
        self.inversions = 0
        self.top: dict[str, int] = {}
        self.first_at: float | None = None
        self.last_at: float | None = None

    def take(self, body: bytes) -> int:
        with self.lock:
            self.attempts += 1
            if self.status != 200:
                self.refused_503 += 1
                return self.status
            event = json.loads(body)
            now = time.monotonic()
            self.first_at = self.first_at or now
            self.last_at = now
            self.accepted += 1
            if event["id"] in self.ids:
                self.duplicates += 1  # at least once: a resend after a lost answer
                return 200
            self.ids.add(event["id"])
            subject, seq = event["subject"], event["seq"]
            if seq < self.top.get(subject, 0):
                self.inversions += 1  # a new event older than one already delivered
            self.top[subject] = max(seq, self.top.get(subject, 0))
            return 200

    def stats(self) -> dict[str, Any]:
        with self.lock:
            return {
                "attempts": self.attempts,
                "refused_503": self.refused_503,
                "accepted": self.accepted,
                "distinct": len(self.ids),
                "duplicates": self.duplicates,
                "inversions": self.inversions,
                "subjects": len(self.top),
                "span_s": (self.last_at - self.first_at) if self.first_at and self.last_at else 0,
            }


def serve_forever(port: int) -> None:
    """`--serve PORT`: the OMS. Reads commands on stdin: `503`, `200`, `stats`, `quit`."""
    sink = Sink()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            status = sink.take(body) if self.path == "/oms" else 200
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print("ready", flush=True)
    for line in sys.stdin:
        command = line.strip()
        if command in ("200", "503"):
            with sink.lock:
                sink.status = int(command)
            print("ok", flush=True)
        elif command == "stats":
            print(json.dumps(sink.stats()), flush=True)
        elif command == "quit":
            break
    server.shutdown()


class Oms:
    """The receiver process, started only when the OMS stops refusing connections."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.proc: subprocess.Popen[str] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(self.port)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._read() == "ready"

    def say(self, command: str) -> str:
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return self._read()

    def stats(self) -> dict[str, Any]:
        return dict(json.loads(self.say("stats")))

    def _read(self) -> str:
        assert self.proc is not None and self.proc.stdout is not None
        return self.proc.stdout.readline().strip()

    def stop(self) -> None:
        if self.proc is not None:
            assert self.proc.stdin is not None
            self.proc.stdin.write("quit\n")
            self.proc.stdin.close()
            self.proc.wait(10)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- the relay process and its RSS -----------------------------------------------------------


@dataclass
class Sample:
    t: float
    phase: str
    rss_kb: int


@dataclass
class Watch:
    """Samples the relay's RSS (VmRSS) every `every` seconds, labelled with the phase."""

    pid: int
    every: float = 0.5
    phase: str = "start"
    samples: list[Sample] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def start(self) -> Watch:
        threading.Thread(target=self._run, daemon=True).start()
        return self

    def _run(self) -> None:
        started = time.monotonic()
        while not self._stop.wait(self.every):
            rss = status_kb(self.pid, "VmRSS")
            if rss is not None:
                self.samples.append(Sample(time.monotonic() - started, self.phase, rss))

    def stop(self) -> None:
        self._stop.set()

    def peak(self, phase: str | None = None) -> int:
        values = [s.rss_kb for s in self.samples if phase is None or s.phase == phase]
        return max(values, default=0)

    def last(self) -> int:
        return self.samples[-1].rss_kb if self.samples else 0


def status_kb(pid: int, key: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_relay(config: Path, workers: int, log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLOORLINK_")}
    with log.open("ab") as out:
        return subprocess.Popen(
            [FLOORLINK, "--config", str(config), "relay", "--workers", str(workers)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


# --- the day ----------------------------------------------------------------------------------


def compressed(hours: float, minutes: float) -> tuple[float, tuple[float, ...]]:
    """The compression factor and the documented schedule divided by it."""
    factor = hours * 3600 / (minutes * 60)
    return factor, tuple(round(d / factor, 6) for d in SCHEDULE_S)


def attempts_in(hours: float) -> tuple[int, bool]:
    """Attempts the documented schedule makes in `hours` for an event that failed at once
    (jitter aside), and whether it is dead-lettered within them."""
    elapsed, attempts = 0.0, 1
    for delay in SCHEDULE_S:
        if elapsed + delay > hours * 3600:
            return attempts, False
        elapsed += delay
        attempts += 1
    return attempts, True  # failed attempt len(SCHEDULE_S) + 1: dead


def fill(spine: Spine, events: int, subjects: int) -> float:
    """The busy day: `events` over `subjects`, through the spine and the event log."""
    started = time.perf_counter()
    batch: list[tuple[str, str, dict[str, Any]]] = []
    for i in range(events):
        n = i % subjects
        data = {"external_id": f"DAY-{n}", "step": i // subjects, "lines": [{"sku": "MUG", "qty": 1}]}  # fmt: skip
        batch.append(("order.picked", f"order:DAY-{n}", data))
        if len(batch) == PER_COMMAND:
            spine.execute(BenchEmit(batch), BENCH)
            batch = []
    if batch:
        spine.execute(BenchEmit(batch), BENCH)
    return time.perf_counter() - started


def count(where: Any = None) -> int:
    with db.database.connection_context():
        query = D.select()
        return int((query.where(where) if where is not None else query).count())


def attempt_table() -> dict[str, Counter[int]]:
    """Deliveries by status and number of attempts."""
    with db.database.connection_context():
        sql = f'SELECT status, attempts, COUNT(*) FROM "{D._meta.table_name}" GROUP BY 1, 2'
        table: dict[str, Counter[int]] = {}
        for status, attempts, n in db.database.execute_sql(sql).fetchall():
            table.setdefault(status, Counter())[attempts] += n
        return table


def write_config(directory: Path, url: str, schedule: tuple[float, ...], poll: float) -> Path:
    config = directory / "floorlink.toml"
    config.write_text(
        f'database_url = "{url}"\nsecret_key = "bench"\n'
        "[mqtt]\nenabled = false\n"
        f"[relay]\npoll_interval_s = {poll}\n"
        f"retry_schedule_s = [{', '.join(str(d) for d in schedule)}]\n"
    )
    return config


def wait_for(check: Any, timeout: float, every: float = 0.5) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(every)
    return False


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=500_000)
    parser.add_argument("--subjects", type=int, default=5_000)
    parser.add_argument("--hours", type=float, default=24.0, help="outage length played")
    parser.add_argument("--minutes", type=float, default=6.0, help="wall-clock it takes")
    parser.add_argument(
        "--back",
        choices=("schedule", "resume"),
        default="schedule",
        help="when the OMS returns: wait for the retry schedule (nobody does anything), or "
        "an operator's `floorlink webhook pause` + `resume` (everything due at once)",
    )
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--poll", type=float, default=0.2, help="relay.poll_interval_s")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--serve", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve is not None:
        serve_forever(args.serve)
        return 0
    return Run(args).run()


def mb(kb: int) -> str:
    return f"{kb / 1024:.0f} MB"


def loadavg() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


class Run:
    """One outage: the phases in order, each printing its figures."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.work = Path(tempfile.mkdtemp(prefix="floutage-"))
        self.url = fresh_db(args.database_url or f"sqlite:///{self.work}/outage.db")
        self.factor, self.schedule = compressed(args.hours, args.minutes)
        self.day_s = args.minutes * 60
        self.port = free_port()
        self.spine = bench_spine()
        self.oms = Oms(self.port)
        self.failed: list[str] = []

    def run(self) -> int:
        args = self.args
        attempts, dead = attempts_in(args.hours)
        print(f"load average: {loadavg()}; database {self.url.split('?')[0]}", flush=True)
        print(
            f"outage of {args.hours:g} h played in {args.minutes:g} min (x{self.factor:,.0f}), "
            f"relay.retry_schedule_s = {list(self.schedule)}; the documented schedule makes "
            f"{attempts} attempts per waiting subject in {args.hours:g} h and "
            f"{'dead-letters them' if dead else 'dead-letters none'}",
            flush=True,
        )
        view = self.spine.execute(CreateEndpoint(f"http://127.0.0.1:{self.port}/oms", ["*"]), BENCH)
        self.endpoint_id = str(view.result["id"])
        config = write_config(self.work, self.url, self.schedule, args.poll)
        self.relay = start_relay(config, args.workers, self.work / "relay.log")
        self.watch = Watch(self.relay.pid).start()
        try:
            time.sleep(2.0)
            self.idle = self.watch.last()
            self.outage()
            self.back()
            self.report()
        finally:
            self.watch.stop()
            self.relay.send_signal(signal.SIGTERM)
            try:
                self.relay.wait(30)
            except subprocess.TimeoutExpired:
                self.relay.kill()
            self.oms.stop()
        for reason in self.failed:
            print(f"FAILED: {reason}")
        return 1 if self.failed else 0

    def outage(self) -> None:
        args = self.args
        start, cpu = time.monotonic(), cpu_s(self.relay.pid)
        self.watch.phase = "fill"
        fill_s = fill(self.spine, args.events, args.subjects)
        print(
            f"fill: {args.events:,} events over {args.subjects:,} subjects committed in "
            f"{fill_s:.1f} s ({args.events / fill_s:,.0f}/s) through the spine, the OMS "
            "refusing connections",
            flush=True,
        )
        self.watch.phase = "outage"
        half = start + self.day_s / 2
        if wait_for(lambda: count() > args.events, max(0.0, half - time.monotonic())):
            print(f"fan-out: every event owed {time.monotonic() - start:.1f} s after the fill began", flush=True)  # fmt: skip
        else:
            self.failed.append("the fan-out did not finish within half the day: more --minutes")
        time.sleep(max(0.0, half - time.monotonic()))
        self.oms.start()
        print(f"{args.hours / 2:g} h: the OMS answers 503 (no Retry-After)", flush=True)
        time.sleep(max(0.0, start + self.day_s - time.monotonic()))
        self.outage_cpu = cpu_s(self.relay.pid) - cpu
        table = attempt_table()
        pending = table.get("pending", Counter())
        waiting = {k: v for k, v in sorted(pending.items()) if k > 0}
        dead = sum(table.get("dead", Counter()).values())
        delivered = sum(table.get("delivered", Counter()).values())
        print(
            f"after {args.hours:g} h: {sum(pending.values()):,} pending, {dead:,} dead-lettered, "
            f"{delivered:,} delivered; subjects' heads by failed attempts {waiting}, "
            f"{pending[0]:,} never tried (waiting behind their head); "
            f"{self.oms.stats()['refused_503']:,} attempts answered 503; relay CPU "
            f"{self.outage_cpu:.0f} s in the {self.day_s:.0f} s",
            flush=True,
        )
        if delivered or self.oms.stats()["accepted"]:
            self.failed.append("something was delivered during the outage")
        self.owed = sum(pending.values())

    def back(self) -> None:
        self.raw_before = raw_rate(self.port, "/raw/before")
        print(f"raw: one keep-alive client POSTs {self.raw_before[0]:,.0f}/s to the OMS receiver", flush=True)  # fmt: skip
        self.watch.phase = "drain"
        cpu, back = cpu_s(self.relay.pid), time.monotonic()
        self.oms.say("200")
        if self.args.back == "resume":
            self.spine.execute(SetEndpointStatus(self.endpoint_id, "pause", "OMS back"), BENCH)
            self.spine.execute(SetEndpointStatus(self.endpoint_id, "resume"), BENCH)
        wait_for(lambda: self.oms.stats()["accepted"] > 0, 3600, every=0.2)
        self.first_s = time.monotonic() - back
        if not wait_for(lambda: count(D.status == "pending") == 0, 7200, every=1.0):
            self.failed.append("not drained within 2 hours")
        self.drain_s = time.monotonic() - back
        self.drain_cpu = cpu_s(self.relay.pid) - cpu
        self.watch.phase = "end"
        time.sleep(2.0)

    def report(self) -> None:
        stats = self.oms.stats()
        final = attempt_table()
        delivered = sum(final.get("delivered", Counter()).values())
        dead = sum(final.get("dead", Counter()).values())
        span = stats["span_s"] or self.drain_s
        print(
            f"OMS back ({self.args.back}): first delivery after {self.first_s:.1f} s "
            f"(= {self.first_s * self.factor / 3600:.1f} h uncompressed), everything after "
            f"{self.drain_s:.1f} s; {stats['distinct']:,} events delivered in {span:.1f} s from "
            f"the first to the last ({stats['distinct'] / span:,.0f}/s = "
            f"{stats['distinct'] / span / self.raw_before[0]:.0%} of raw; relay CPU "
            f"{self.drain_cpu / max(1, stats['accepted']) * 1e6:.0f} us/delivery); "
            f"{stats['duplicates']} duplicates, {stats['inversions']} order inversions over "
            f"{stats['subjects']:,} subjects",
            flush=True,
        )
        print(f"end: {delivered:,} delivered, {dead:,} dead-lettered, {count(D.status == 'pending'):,} pending of {self.owed:,} owed at the return", flush=True)  # fmt: skip
        if stats["inversions"]:
            self.failed.append("events of a subject arrived out of order")
        if stats["distinct"] != delivered:
            self.failed.append(f"the OMS has {stats['distinct']:,} events, the relay says {delivered:,}")  # fmt: skip
        raw_after = raw_rate(self.port, "/raw/after")
        print(f"raw again at the end: {raw_after[0]:,.0f}/s (client CPU {raw_after[1] * 1e6:.0f} us/request)")  # fmt: skip
        w = self.watch
        hwm = status_kb(self.relay.pid, "VmHWM") or 0
        print(
            f"relay RSS: idle {mb(self.idle)}, peak in the fill {mb(w.peak('fill'))}, the rest "
            f"of the outage {mb(w.peak('outage'))}, the drain {mb(w.peak('drain'))}, end "
            f"{mb(w.last())} (VmHWM {mb(hwm)}; {len(w.samples)} samples every {w.every} s)",
            flush=True,
        )
        (self.work / "rss.csv").write_text(
            "t_s,phase,rss_kb\n" + "".join(f"{x.t:.1f},{x.phase},{x.rss_kb}\n" for x in w.samples)
        )
        print(f"load average: {loadavg()}; RSS samples {self.work / 'rss.csv'}, relay log {self.work / 'relay.log'}")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
