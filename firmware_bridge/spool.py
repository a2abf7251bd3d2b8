"""The store-and-forward spool: events on local disk until the broker acknowledged them.

SQLite in WAL mode with ``synchronous=FULL``: an append returns only once the row is on
disk, so a power cut or ``kill -9`` right after a scan loses nothing. Rows are published
in id order (the order they were recorded) and deleted in batches once acked.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable
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


@dataclass(frozen=True)
class SpoolRow:
    id: int
    topic: str
    payload: bytes
    session: str


class Spool:
    """Thread-safe: reader threads append, the forwarder reads and deletes."""

    def __init__(self, path: str | Path) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute(SCHEMA)

    def append(self, topic: str, payload: bytes, session: str) -> int:
        """Store one event durably and return its row id."""
        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO spool (topic, payload, session) VALUES (?, ?, ?)",
                (topic, payload, session),
            )
            return int(cursor.lastrowid or 0)

    def after(self, row_id: int, limit: int) -> list[SpoolRow]:
        """Up to ``limit`` rows with an id above ``row_id``, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, topic, payload, session FROM spool WHERE id > ? ORDER BY id LIMIT ?",
                (row_id, limit),
            ).fetchall()
        return [SpoolRow(r[0], r[1], bytes(r[2]), r[3]) for r in rows]

    def delete(self, row_ids: Iterable[int]) -> None:
        """Remove acknowledged rows, in one transaction."""
        ids = [(row_id,) for row_id in row_ids]
        if not ids:
            return
        with self._lock:
            self._db.execute("BEGIN")
            self._db.executemany("DELETE FROM spool WHERE id = ?", ids)
            self._db.execute("COMMIT")

    def count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM spool").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()
