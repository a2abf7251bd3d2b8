"""Which tables a command's transaction wrote: a thin hook under every SQL statement.

The spine watches the statements its handler runs (INSERT/UPDATE/DELETE, model queries and
raw SQL alike) and refuses a command that changed state without recording an event.
Bookkeeping tables (the event log itself, remembered inputs, delivery state) are exempt;
an area with its own bookkeeping table registers it with `exempt(...)`.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterator
from typing import Any

_WRITE = re.compile(
    r"^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+"
    r'(?:"?\w+"?\.)?"?(\w+)"?',
    re.IGNORECASE,
)

BOOKKEEPING_TABLES: set[str] = {"event", "event_head", "processed_input"}
_local = threading.local()


def exempt(*tables: str) -> None:
    """Declare tables whose writes are bookkeeping, not state changes that need an event."""
    BOOKKEEPING_TABLES.update(tables)


def written_table(sql: str) -> str | None:
    """The table an INSERT/UPDATE/DELETE statement writes, or None for anything else."""
    match = _WRITE.match(sql)
    if match is None:
        return None
    return match.group(1)


@contextlib.contextmanager
def tracking() -> Iterator[set[str]]:
    """Collect, for this thread, the tables written inside the block."""
    previous = getattr(_local, "tables", None)
    tables: set[str] = set()
    _local.tables = tables
    try:
        yield tables
    finally:
        _local.tables = previous


def state_tables(tables: set[str]) -> set[str]:
    """The written tables that hold state (not bookkeeping)."""
    return tables - BOOKKEEPING_TABLES


class WriteWatch:
    """Mixin for a peewee Database: reports written tables to the active `tracking()`."""

    def execute_sql(self, sql: str, params: Any = None) -> Any:
        tables = getattr(_local, "tables", None)
        if tables is not None:
            table = written_table(sql)
            if table is not None:
                tables.add(table)
        return super().execute_sql(sql, params)  # type: ignore[misc]
