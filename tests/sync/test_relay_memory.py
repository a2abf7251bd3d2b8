"""The relay process's memory (server/sync/memory.py): its SQLite page cache is small, the
arenas' free pages are given back, and the diagnostic reports what holds the memory."""

from __future__ import annotations

from pathlib import Path

from server.db import open_database
from server.sync import memory


def test_the_relay_asks_sqlite_for_a_small_page_cache(tmp_path: Path) -> None:
    for kib, expected in ((None, -16_000), (memory.RELAY_SQLITE_CACHE_KIB, -2048)):
        db = open_database(f"sqlite:///{tmp_path}/cache.db", sqlite_cache_kib=kib)
        with db.connection_context():
            assert db.execute_sql("PRAGMA cache_size").fetchone()[0] == expected
        db.close_all()


def test_trim_and_the_report_run_anywhere() -> None:
    memory.trim()  # malloc_trim on glibc, nothing elsewhere
    line = memory.report().splitlines()[0]
    assert line.startswith("memwatch: rss ") and "threads" in line
