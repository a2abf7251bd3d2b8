"""The processes of the campaign that tests/fixtures/site_parts.py does not have: a standalone
`floorlink relay`, `floorlink bridge` processes and a PostgreSQL of the campaign's own.

Each is a real process, killed with SIGKILL to its process group (site_parts.Part.kill),
started again with the same configuration (the same spool, the same data directory).
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg2

from tests.fixtures.site_parts import FLOORLINK, ROOT, Part, free_port

# The processes run the code of this checkout, whatever the installed package points at.
CODE_ENV = {"PYTHONPATH": str(ROOT)}


def child_env() -> dict[str, str]:
    """This environment without FLOORLINK_* (the config files say everything)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLOORLINK_")}
    return env | CODE_ENV


def wait_log(part: Part, text: str, after: int, timeout: float = 30.0) -> None:
    """Wait until `text` appears in the part's log beyond byte `after` (its size at start)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert part.alive(), f"{part.name} exited:\n{part.tail()}"
        if part.log.exists() and text in part.log.read_bytes()[after:].decode(errors="replace"):
            return
        time.sleep(0.05)
    raise AssertionError(f"{part.name} never logged {text!r}:\n{part.tail()}")


def log_size(part: Part) -> int:
    return part.log.stat().st_size if part.log.exists() else 0


class RelayProcess(Part):
    """`floorlink --config CONFIG relay`: the webhook relay on its own."""

    def __init__(self, directory: Path, config: Path) -> None:
        super().__init__("relay", directory)
        self.config = config

    def start(self) -> RelayProcess:
        self.launch()
        self.ready()
        return self

    def launch(self) -> None:
        self.mark = log_size(self)
        self.spawn(
            [FLOORLINK, "--config", str(self.config), "relay", "--workers", "2"], child_env()
        )

    def ready(self) -> None:
        wait_log(self, "relay running", self.mark)


class BridgeProcess(Part):
    """`floorlink bridge --config edge.toml` with one scanner on a pseudo-terminal."""

    def __init__(self, directory: Path, bridge_id: str, site: str, mqtt_url: str, scanner: str,
                 port: str) -> None:  # fmt: skip
        super().__init__(bridge_id, directory)
        self.scanner = scanner
        self.spool = directory / f"{bridge_id}-spool.db"
        self.config = directory / f"{bridge_id}.toml"
        self.config.write_text(
            f'bridge_id = "{bridge_id}"\nsite = "{site}"\nmqtt_url = "{mqtt_url}"\n'
            f'spool_path = "{self.spool}"\n\n[[scanners]]\nid = "{scanner}"\nport = "{port}"\n'
        )

    def start(self) -> BridgeProcess:
        self.launch()
        self.ready()
        return self

    def launch(self) -> None:
        self.mark = log_size(self)
        # `floorlink bridge` runs this same main; without the server's imports it starts sooner
        argv = [sys.executable, "-m", "firmware_bridge.main", "--config", str(self.config)]
        self.spawn(argv, child_env())

    def ready(self) -> None:
        wait_log(self, f"{self.scanner} is online", self.mark)

    def spooled(self) -> int:
        """How many events the bridge ever spooled (SQLite's AUTOINCREMENT counter: it
        survives deletes and restarts), read from its spool file."""
        if not self.spool.exists():
            return 0
        with sqlite3.connect(f"file:{self.spool}?mode=ro", uri=True, timeout=10) as db:
            row = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'spool'").fetchone()
            held = db.execute("SELECT count(*) FROM spool").fetchone()
        db.close()
        self.held = int(held[0])
        return int(row[0]) if row else 0

    def held_now(self) -> int:
        """Events still in the spool, waiting for the server's confirmation."""
        self.spooled()
        return self.held


def pg_binary(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    path = found[-1] if found else shutil.which(name)
    if path is None:
        raise AssertionError(f"{name} not found: apt-get install -y postgresql")
    return path


class PrivatePostgres:
    """A PostgreSQL cluster of the campaign's own (initdb in a temporary directory, a free
    port), so it can be restarted under load without touching the machine's server, which
    other test runs share. `restart()` stops it in immediate mode (no checkpoint: the next
    start recovers from the WAL, as after a crash) and starts it again."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="floorlink-campaign-pg-"))
        self.data, self.port = self.dir / "data", free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/floorlink"

    def _run(self, *argv: str) -> None:
        command = list(argv)
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"{argv[0]} failed:\n{done.stdout}\n{done.stderr}"

    def create(self) -> PrivatePostgres:
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run(pg_binary("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
                  "-E", "UTF8", "--no-sync")  # fmt: skip
        self.start()
        admin = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres")
        try:
            admin.autocommit = True
            admin.cursor().execute("CREATE DATABASE floorlink")
        finally:
            admin.close()
        return self

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1"
        options += " -c max_connections=300"
        self._run(pg_binary("pg_ctl"), "-D", str(self.data), "-o", options, "-w",
                  "-l", str(self.dir / "postgres.log"), "start")  # fmt: skip

    def stop(self, mode: str = "immediate") -> None:
        self._run(pg_binary("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def destroy(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
