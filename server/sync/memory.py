"""The relay process's memory: a small page cache, glibc's free pages given back, a diagnostic.

`floorlink relay` opens its SQLite connections with a page cache of RELAY_SQLITE_CACHE_KIB,
not the server's 16 MB: in WAL mode a connection's cache is emptied whenever another
connection wrote (the relay's own settles, the server's commits), so it is refilled, page
by page, by every transaction, and a cache of 16 MB was filled (and freed) as far as the
queries reached, which grows with the database: with 500,000 deliveries waiting the relay's
sweeps and claims touched far more than 16 MB per connection, with 20,000 far less. A full
cache recycles its own pages instead of allocating more, so 2 MB bounds it whatever the
backlog; the relay reads by index, and the pages it re-reads come from the kernel's cache.

`trim()` is glibc's malloc_trim(0), called by the relay's pump every TRIM_S. The relay's
threads take turns on the pooled connections, so SQLite's page caches and prepared
statements are allocated and freed by every thread, each in its own malloc arena (up to
8 per core); an arena keeps what it once held, and after a long outage (bench/outage.py,
issue 16) eleven arenas of ~30 MB each were ~80 % free chunks: 230 MB of the relay's 310 MB
RSS was memory nobody used. malloc_trim returns the free pages of every arena to the
kernel (a few ms); elsewhere than glibc it does nothing.

`RELAY_MEMWATCH_S=30 floorlink relay` (or bench/outage.py with the variable set) logs, that
often, the RSS, what Python holds (tracemalloc, which it starts: it slows every
allocation), what SQLite holds (sqlite3_memory_used), glibc's malloc in use and free
(mallinfo2), and the source lines holding the most Python memory. Not a FLOORLINK_*
variable: those are settings, validated.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import threading
import time
import tracemalloc
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
WATCH_ENV = "RELAY_MEMWATCH_S"
TRIM_S = 1.0  # how often the relay's pump calls trim()
RELAY_SQLITE_CACHE_KIB = 2048  # SQLite page cache per connection of `floorlink relay`


def _lib(name: str) -> Any:
    found = ctypes.util.find_library(name)
    try:
        return ctypes.CDLL(found) if found else None
    except OSError:
        return None


_LIBC = _lib("c")
_MALLOC_TRIM = getattr(_LIBC, "malloc_trim", None)


def trim() -> None:
    """Give the free pages of every malloc arena back to the kernel (glibc; else nothing)."""
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


class _Mallinfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks")
        + ("uordblks", "fordblks", "keepcost")
    ]


def _status_kb(key: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def report(top: int = 12) -> str:
    """One line of totals, then the `top` source lines holding the most traced memory."""
    mb = 1 / (1 << 20)
    parts = [f"rss {_status_kb('VmRSS') // 1024} MB", f"threads {threading.active_count()}"]
    if tracemalloc.is_tracing():
        current, peak = tracemalloc.get_traced_memory()
        parts.append(f"python {current * mb:.1f} MB (peak {peak * mb:.1f})")
    sqlite = _lib("sqlite3")
    if sqlite is not None:
        sqlite.sqlite3_memory_used.restype = ctypes.c_int64
        sqlite.sqlite3_memory_highwater.restype = ctypes.c_int64
        used, high = sqlite.sqlite3_memory_used(), sqlite.sqlite3_memory_highwater(0)
        parts.append(f"sqlite {used * mb:.1f} MB (high {high * mb:.1f})")
    if _LIBC is not None and hasattr(_LIBC, "mallinfo2"):
        _LIBC.mallinfo2.restype = _Mallinfo2
        info = _LIBC.mallinfo2()
        parts.append(f"malloc in use {info.uordblks * mb:.1f} MB, free {info.fordblks * mb:.1f} MB")
    lines = ["memwatch: " + ", ".join(parts)]
    if tracemalloc.is_tracing():
        for stat in tracemalloc.take_snapshot().statistics("lineno")[:top]:
            frame = stat.traceback[0]
            lines.append(
                f"  {stat.size * mb:7.2f} MB {stat.count:8d} {frame.filename}:{frame.lineno}"
            )
    return "\n".join(lines)


def watch(stopping: threading.Event) -> None:
    """Log `report()` every RELAY_MEMWATCH_S seconds until `stopping`, if it is set."""
    every = float(os.environ.get(WATCH_ENV) or 0)
    if every <= 0:
        return
    tracemalloc.start()

    def run() -> None:
        while not stopping.wait(every):
            started = time.perf_counter()
            trim()
            trimmed = time.perf_counter() - started
            log.info("%s\n  (malloc_trim took %.1f ms)", report(), trimmed * 1000)

    threading.Thread(target=run, name="relay-memwatch", daemon=True).start()
