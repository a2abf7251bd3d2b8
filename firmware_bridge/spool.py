"""The store-and-forward spool: events on local disk until the server confirmed them.

SQLite in WAL mode with ``synchronous=FULL``: an append returns only once the row is on
disk, so a power cut or ``kill -9`` right after a scan loses nothing. Rows are published
in id order (the order they were recorded) and deleted only when the server confirms it
committed them (``confirm``), never on the broker's PUBACK alone.

Bounded: at ``capacity`` rows an append raises :class:`SpoolFull` — the oldest events are
kept, the newest refused (an event already spooled is never dropped to make room).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS spool (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    topic TEXT NOT NULL,
    payload BLOB NOT NULL,
    session TEXT NOT NULL
)
"""
# Added when the spool learnt to wait for the server (older spool files get them on open).
COLUMNS = {"device": "TEXT", "seq": "INTEGER"}
INDEX = "CREATE INDEX IF NOT EXISTS spool_device ON spool (device, session, seq)"
DEFAULT_CAPACITY = 1_000_000


class SpoolFull(RuntimeError):
    """The spool holds ``capacity`` events: this one is refused (the older ones stay)."""


@dataclass(frozen=True)
class SpoolRow:
    id: int
    topic: str
    payload: bytes
    session: str
    device: str = ""
    seq: int = 0


class Spool:
    """Thread-safe: reader threads append, the forwarder reads and confirms."""

    def __init__(self, path: str | Path, capacity: int = DEFAULT_CAPACITY) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.capacity = capacity
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute(SCHEMA)
        self._upgrade()
        self._count = int(self._db.execute("SELECT count(*) FROM spool").fetchone()[0])

    def _upgrade(self) -> None:
        present = {row[1] for row in self._db.execute("PRAGMA table_info(spool)")}
        for name, kind in COLUMNS.items():
            if name not in present:
                self._db.execute(f"ALTER TABLE spool ADD COLUMN {name} {kind}")
        rows = self._db.execute("SELECT id, payload FROM spool WHERE device IS NULL").fetchall()
        for row_id, payload in rows:  # rows of a bridge from before: read them off the envelope
            envelope = json.loads(payload)
            self._db.execute(
                "UPDATE spool SET device = ?, seq = ? WHERE id = ?",
                (envelope["device_id"], envelope["seq"], row_id),
            )
        self._db.execute(INDEX)

    @property
    def full(self) -> bool:
        return self._count >= self.capacity

    def append(self, topic: str, payload: bytes, session: str, device: str, seq: int) -> int:
        """Store one event durably and return its row id; SpoolFull if there is no room."""
        with self._lock:
            if self._count >= self.capacity:
                raise SpoolFull(f"the spool holds {self._count} events (capacity {self.capacity})")
            cursor = self._db.execute(
                "INSERT INTO spool (topic, payload, session, device, seq) VALUES (?, ?, ?, ?, ?)",
                (topic, payload, session, device, seq),
            )
            self._count += 1
            return int(cursor.lastrowid or 0)

    def after(self, row_id: int, limit: int) -> list[SpoolRow]:
        """Up to ``limit`` rows with an id above ``row_id``, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, topic, payload, session, device, seq FROM spool "
                "WHERE id > ? ORDER BY id LIMIT ?",
                (row_id, limit),
            ).fetchall()
        return [SpoolRow(r[0], r[1], bytes(r[2]), r[3], r[4], r[5]) for r in rows]

    def oldest_seq(self, device: str, session: str) -> int | None:
        """The lowest seq still held for this device and session (None if none)."""
        with self._lock:
            row = self._db.execute(
                "SELECT min(seq) FROM spool WHERE device = ? AND session = ?", (device, session)
            ).fetchone()
        return None if row[0] is None else int(row[0])

    def oldest_id(self, device: str, session: str) -> int | None:
        with self._lock:
            row = self._db.execute(
                "SELECT min(id) FROM spool WHERE device = ? AND session = ?", (device, session)
            ).fetchone()
        return None if row[0] is None else int(row[0])

    def confirm(self, confirmed: list[tuple[str, str, int]]) -> int:
        """Delete what the server committed (device, session, up to seq), in one transaction;
        return how many rows went."""
        return self._delete("seq <= ?", confirmed)

    def drop(self, refused: list[tuple[str, str, int]]) -> int:
        """Delete the events the server refused for good (device, session, seq): exactly
        those, the ones before and after stay; return how many rows went."""
        return self._delete("seq = ?", refused)

    def _delete(self, seq_rule: str, rows: list[tuple[str, str, int]]) -> int:
        """Delete (device, session, seq) rows by `seq_rule` in one transaction."""
        if not rows:
            return 0
        with self._lock:
            before = self._db.total_changes
            self._db.execute("BEGIN")
            self._db.executemany(
                f"DELETE FROM spool WHERE device = ? AND session = ? AND {seq_rule}", rows
            )
            self._db.execute("COMMIT")
            removed = self._db.total_changes - before
            self._count -= removed
            return removed

    def count(self) -> int:
        with self._lock:
            return self._count

    def close(self) -> None:
        with self._lock:
            self._db.close()
