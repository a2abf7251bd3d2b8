"""Instructions per floor input, counted by callgrind: a figure that does not drift with the
machine (its load, its clock, its other tenants), to compare across commits.

    .venv/bin/python bench/instructions.py [--batches 2] [--orders 8] [--commit REV|--worktree]
                                           [--transport http|socket]

Runs one process under `valgrind --tool=callgrind --instr-atstart=no` (valgrind: `sudo
apt-get install valgrind`). That process builds the app on a fresh SQLite file (in-process,
the Flask test client: the floor API, the spine, SQLite; no HTTP server), loads a site
through the OMS API, logs a picker in, walks one batch to warm up, then walks --batches
batches of --orders orders (3 lines of 1 unit each): the claim, every scan (tote, location,
product, tote put) and the drop, over the floor API (`--transport http`, the default) or
the handheld's Socket.IO `input` event (`--transport socket`: Flask-SocketIO's test client,
the `/kiosk` namespace's handlers and the push after commit, without the engine.io
transport). Instrumentation is switched on around each input only
(`callgrind_control -i on|off` on its own pid) and the counts dumped after each one, so
the set-up, the imports and the warm-up count for nothing. The cost of the switching
itself (a few empty on/off pairs) is subtracted. It prints instructions per input by step,
the mean of a pick scan (the figure of docs/performance.md, "Instructions per floor
input"), and the commit measured: HEAD by default, or --commit, exported with `git archive`
(the working tree is neither used nor touched; --worktree measures it instead).

The count moves with the code (ours and the libraries', Python's, SQLite's), not with the
machine: measure both commits on the same environment and compare. Run times are long
(callgrind is ~50x slower): a few minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SKUS = 60
FLOOR = "/api/floor/v1"
CALIBRATIONS = 5


# --- inside valgrind ------------------------------------------------------------------------


class Meter:
    """Instrumentation on around each measured input, then a dump: one dump per input, in
    order, each labelled here (the dumps' own names are only numbers)."""

    def __init__(self, control: str) -> None:
        self.control, self.pid, self.labels = control, str(os.getpid()), []  # type: ignore[var-annotated]

    def _run(self, *args: str) -> None:
        # posix_spawn + waitpid: the least Python between the switch and the input
        child = os.posix_spawn(self.control, [self.control, *args, self.pid], os.environ)
        os.waitpid(child, 0)

    def measure(self, label: str, step: Callable[[], Any]) -> Any:
        self._run("-i", "on")
        try:
            return step()
        finally:
            self._run("-i", "off")
            self._run("-d")
            self.labels.append(label)


def gtin13(n: int) -> str:
    body = f"400638{n:06d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def load_site(call: Callable[..., Any], key: str, orders: int) -> list[str]:
    """Locations, products, stock, totes and `orders` orders of the same shape (3 lines of
    1 unit, 3 SKUs of their own in turn), through the OMS API; the totes' codes."""
    oms = {"Authorization": f"Bearer {key}"}
    locations = [
        {"code": f"A-{i // 20 + 1:02d}-{i % 20 + 1:02d}-1", "zone": "A", "kind": "pick"}
        | {"walk_sequence": i}
        for i in range(SKUS)
    ] + [{"code": "PACK-01", "zone": "P", "kind": "pack", "walk_sequence": 9000}]
    products = [
        {"sku": f"B-{i}", "name": f"Item {i}", "barcodes": [gtin13(i)]}
        | {"weight_g": 100, "dims_mm": [10, 10, 10]}
        for i in range(SKUS)
    ]
    stock = [
        {"sku": f"B-{i}", "location": locations[i]["code"], "delta": 10_000, "reason": "bench"}
        for i in range(SKUS)
    ]
    totes = [f"T{n:04d}" for n in range(orders)]
    call("PUT", "/api/v1/locations", {"locations": locations}, oms)
    call("PUT", "/api/v1/products", {"products": products}, oms)
    call("POST", "/api/v1/stock/adjustments", {"adjustments": stock}, oms)
    call("PUT", "/api/v1/totes", {"totes": [{"code": c} for c in totes]}, oms)
    for n in range(orders):
        skus = [(n * 3 + j) % SKUS for j in range(3)]
        lines = [{"line_id": str(j), "sku": f"B-{s}", "qty": 1} for j, s in enumerate(skus)]
        body = {"external_id": f"P-{n}", "channel": "web", "priority": 5}
        body |= {"ship_by": "2030-01-01T12:00:00Z", "lines": lines}
        call("POST", "/api/v1/orders", body, oms | {"Idempotency-Key": f"P-{n}"})
    return totes


class Handheld:
    """One picker's handheld on the floor API, through the Flask test client."""

    def __init__(self, call: Callable[..., Any], code: str, totes: list[str]) -> None:
        self.call, self.free, self.totes = call, list(totes), {}  # type: ignore[var-annotated]
        token = call("POST", f"{FLOOR}/enroll", {"code": code}, {})["device_token"]
        self.headers = {"X-Device-Token": token}
        login = call("POST", f"{FLOOR}/sessions", {"badge": "P1", "pin": "1234"}, self.headers)
        self.headers["Authorization"] = f"Bearer {login['token']}"
        self.inputs = f"{FLOOR}/sessions/{login['session_id']}/inputs"
        self.screen: dict[str, Any] = login["screen"]
        self.n = 0
        self.socket: Any = None

    def over_socket(self, app: Any) -> None:
        """Send every input from now on as the handheld does: the socket's `input` event."""
        from server.realtime import socketio

        token = self.headers["Authorization"].removeprefix("Bearer ")
        auth = {"device_token": self.headers["X-Device-Token"], "session_token": token}
        self.socket = socketio.test_client(app, namespace="/kiosk", auth=auth)
        if not self.socket.is_connected("/kiosk"):
            raise RuntimeError("the kiosk socket was refused")

    def send(self, **body: Any) -> dict[str, Any]:
        self.n += 1
        body["input_id"] = f"i{self.n}"
        if self.socket is not None:
            ack = self.socket.emit("input", body, namespace="/kiosk", callback=True)
            if ack.get("error"):
                raise RuntimeError(f"input {body}: {ack['error']}")
            self.screen = ack["screen"]
        else:
            self.screen = self.call("POST", self.inputs, body, self.headers)["screen"]
        return self.screen

    def next_scan(self) -> tuple[str, str] | None:
        """(the step, its scan) the screen asks for; None once the batch waits for its drop."""
        name, target = self.screen["name"], self.screen["target"]
        if name == "pick.scan_tote":
            return "tote", self.totes.setdefault(target["order"], self.free.pop())
        if name == "pick.scan_location":
            return "location", str(target["location"])
        if name in ("pick.scan_product", "pick.quantity"):
            return "product", gtin13(int(target["sku"].removeprefix("B-")))
        if name == "pick.scan_tote_put":
            return "tote_put", str(target["tote"])
        return None

    def walk(self, meter: Meter | None) -> None:
        """One batch: the claim, every scan, the drop (each measured when a meter is given)."""

        def run(label: str, step: Callable[[], Any]) -> Any:
            return meter.measure(label, step) if meter is not None else step()

        screen = run("claim", lambda: self.send(action="pick"))
        assert screen["name"] == "pick.scan_tote", screen
        while (found := self.next_scan()) is not None:
            step, scan = found
            run(step, partial(self.send, scan=scan))
        assert self.screen["name"] == "pick.scan_drop", self.screen
        assert run("drop", lambda: self.send(scan="PACK-01"))["name"] == "pick.done"
        self.send(action="next")  # back to the choice of work (not measured)


def inner(args: Any) -> None:
    from server import db, migrations
    from server.api import keys
    from server.app import create_app
    from server.areas import load_settings
    from server.floor import operators
    from server.floor.kiosks import AddKiosk
    from server.spine import SYSTEM

    workdir = Path(args.workdir)
    url = f"sqlite:///{workdir / 'instructions.db'}"
    db.bind(url)
    migrations.upgrade()
    settings = load_settings(
        env={},
        database_url=url,
        secret_key="bench-secret",
        relay={"enabled": False},
        mqtt={"enabled": False},
        picking={"max_orders": args.orders},
    )
    app = create_app(settings)
    client = app.test_client()
    spine = app.extensions["floorlink"].spine
    with db.database.connection_context():
        key = keys.create("bench", "oms").secret
        pin = operators.new_pin_hash("1234")
        spine.execute(operators.AddOperator("P1", "Picker", ("picker",), pin), SYSTEM)
        kiosk = spine.execute(AddKiosk("HH-1", "handheld", None, 3600.0), SYSTEM).result

    def call(method: str, path: str, body: Any, headers: dict[str, str]) -> Any:
        r = client.open(path, method=method, json=body, headers=headers)
        if r.status_code >= 300:
            raise RuntimeError(f"{method} {path}: {r.status_code} {r.json}")
        return r.json

    totes = load_site(call, key, (args.batches + 1) * args.orders)  # the first batch warms up
    handheld = Handheld(call, kiosk["enrollment_code"], totes)
    if args.transport == "socket":
        handheld.over_socket(app)
    meter = Meter(args.control)
    with db.database.connection_context():
        handheld.walk(None)
        for _ in range(CALIBRATIONS):
            meter.measure("empty", lambda: None)
        for _ in range(args.batches):
            handheld.walk(meter)
    import server

    meta = {"labels": meter.labels, "server": str(Path(server.__file__).parent)}
    (workdir / "measured.json").write_text(json.dumps(meta))
    app.extensions["floorlink"].stop()


# --- outside: run it, read the dumps --------------------------------------------------------


def totals(out: Path) -> int:
    for line in out.read_text().splitlines():
        if line.startswith("totals:"):  # ("summary:" is 0 in a dump callgrind_control asks for)
            return int(line.split()[1])
    raise RuntimeError(f"no totals in {out}")


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()


def export(commit: str, into: Path) -> Path:
    """The tree of `commit` (git archive: the repository is only read), where the measured
    process imports `server` from: the commit measured, whatever the working tree holds."""
    into.mkdir()
    archive = subprocess.run(["git", "archive", commit], cwd=ROOT, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into


def outer(args: Any) -> None:
    valgrind = shutil.which("valgrind")
    control = shutil.which("callgrind_control")
    if valgrind is None or control is None:
        raise SystemExit("valgrind is not installed: sudo apt-get install valgrind")
    version = subprocess.run([valgrind, "--version"], capture_output=True, text=True).stdout
    with tempfile.TemporaryDirectory(prefix="floorlink-callgrind-") as tmp:
        if args.worktree:
            tree, measured = ROOT, f"the working tree on {git('rev-parse', '--short', 'HEAD')}"
            if git("status", "--porcelain", "--untracked-files=no", "--", "server"):
                measured += " (server/ changed, uncommitted)"
        else:
            tree = export(args.commit, Path(tmp) / "tree")
            measured = f"commit {git('rev-parse', '--short', args.commit)}"
        out = Path(tmp) / "callgrind.out"
        command = [
            valgrind, "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
            sys.executable, __file__, "--inner", "--workdir", tmp, "--control", control,
            "--tree", str(tree), "--batches", str(args.batches), "--orders", str(args.orders),
            "--transport", args.transport,
        ]  # fmt: skip
        env = os.environ | {"PYTHONHASHSEED": "0", "FLOORLINK_LOG_LEVEL": "WARNING"}
        env.pop("FLOORLINK_CONFIG", None)
        try:
            done = subprocess.run(
                command, env=env, cwd=tmp, capture_output=True, text=True, timeout=args.timeout
            )
        except subprocess.TimeoutExpired:
            raise SystemExit(
                f"no result after {args.timeout:.0f} s: a callgrind_control (vgdb) call can hang "
                "(seen once in ~1,000 on a loaded machine); run it again"
            ) from None
        if done.returncode != 0:
            sys.stderr.write(done.stderr[-4000:])
            raise SystemExit(f"the run under callgrind failed ({done.returncode})")
        meta = json.loads((Path(tmp) / "measured.json").read_text())
        if Path(meta["server"]) != tree / "server":
            raise SystemExit(f"measured {meta['server']}, not {tree / 'server'}")
        dumps = sorted(Path(tmp).glob("callgrind.out.*"), key=lambda p: int(p.suffix[1:]))
        if len(dumps) != len(meta["labels"]):
            raise SystemExit(f"{len(dumps)} dumps for {len(meta['labels'])} inputs")
        counts: dict[str, list[int]] = {}
        for label, dump in zip(meta["labels"], dumps, strict=True):
            counts.setdefault(label, []).append(totals(dump))
    switching = statistics.median(counts.pop("empty"))
    per = {k: [c - switching for c in v] for k, v in counts.items()}
    scans = [c for k, v in per.items() if k not in ("claim", "drop") for c in v]
    print(
        f"{measured}   Python {platform.python_version()}   {version.strip()}   "
        f"{args.batches} batches of {args.orders} orders (3 lines of 1 unit), over {args.transport}"
    )
    print(f"switching on/off, subtracted: {switching:,.0f} instructions")
    for label in ("claim", "tote", "location", "product", "tote_put", "drop"):
        if label in per:
            v = per[label]
            print(f"{label:9s} {statistics.mean(v):13,.0f} instructions  (mean of {len(v)})")
    print(f"pick scan {statistics.mean(scans):13,.0f} instructions  (mean of {len(scans)} scans)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batches", type=int, default=2, help="measured batches")
    parser.add_argument("--orders", type=int, default=8, help="orders per batch")
    parser.add_argument(
        "--transport", choices=("http", "socket"), default="http", help="how inputs are sent"
    )
    parser.add_argument("--commit", default="HEAD", help="the commit measured (default HEAD)")
    parser.add_argument(
        "--worktree", action="store_true", help="measure the working tree instead of a commit"
    )
    parser.add_argument(
        "--timeout", type=float, default=3600.0, help="give up on the run after this many s"
    )
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--tree", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    parser.add_argument("--control", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        sys.path.insert(0, args.tree)  # before the editable install's finder
        inner(args)
    else:
        outer(args)


if __name__ == "__main__":
    main()
