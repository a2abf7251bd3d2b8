"""Group commit: concurrent units of work share one transaction, so one commit (one fsync).

Every unit runs in its own savepoint: one that raises is rolled back alone and its caller
gets the exception; the others commit together. The first caller to arrive leads: it runs
everything queued so far (in arrival order, up to MAX_GROUP) on its own thread while the
others wait, commits, and wakes them; the next caller still waiting leads the next group.
A unit alone in its group runs as it would without grouping (its own transaction). An
error after which SQLite rolled the whole transaction back itself (SQLITE_FULL) fails the
whole group: every caller gets it, none is told it committed.

With `synchronous=FULL` a commit costs one fsync, milliseconds on a busy or virtual disk,
and one writer at a time commits (SQLite's single write lock): without grouping, inputs/s
can never exceed fsyncs/s. Units must not depend on the caller's thread (no Flask request
state): the spine's handlers are plain functions of their command.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from server.db import connection, database, transaction_lost

T = TypeVar("T")
MAX_GROUP = 64


class _Unit(Generic[T]):
    def __init__(self, work: Callable[[], T]) -> None:
        self.work = work
        self.done = False
        self.result: T | None = None
        self.error: BaseException | None = None
        self.woken = threading.Event()

    def run(self) -> None:
        try:
            self.result = self.work()
        except Exception as exc:  # the unit's savepoint is rolled back; its caller gets it
            self.error = exc

    def outcome(self) -> T:
        if self.error is not None:
            raise self.error
        return self.result  # type: ignore[return-value]


class GroupCommit:
    """Each waiter sleeps on its own event and is woken once: when its group committed,
    or when it is handed the lead (it is the oldest still queued). One hand-off per unit,
    not every waiter woken by every commit to look and sleep again (a Condition's
    notify_all: with 64 threads that was most of the futex traffic of a scan)."""

    def __init__(self, max_group: int = MAX_GROUP) -> None:
        self.max_group = max_group
        self._lock = threading.Lock()
        self._queue: deque[_Unit[Any]] = deque()
        self._leading = False

    def run(self, work: Callable[[], T]) -> T:
        """Run `work` in a savepoint of a shared transaction; return after that commits."""
        unit = _Unit(work)
        with self._lock:
            self._queue.append(unit)
            follow = self._leading
            self._leading = True
        if follow:
            unit.woken.wait()
            if unit.done:
                return unit.outcome()
        try:
            while not unit.done:
                self._lead_one_group()
        finally:
            with self._lock:
                if self._queue:  # the oldest waiter leads next (it is in the next group)
                    heir = self._queue[0]
                    heir.woken.set()
                else:
                    self._leading = False
        return unit.outcome()

    def _lead_one_group(self) -> None:
        with self._lock:
            group = [self._queue.popleft() for _ in range(min(self.max_group, len(self._queue)))]
        try:
            if len(group) == 1:
                group[0].run()
            else:
                with connection(), database.atomic():
                    for unit in group:
                        unit.run()
                        if unit.error is not None and transaction_lost():
                            # SQLite rolled the whole group back with it (a full disk):
                            # nothing of the group happened, the rest must not run outside it
                            raise unit.error
        except BaseException as exc:  # BEGIN or COMMIT failed: nothing of the group happened
            for unit in group:
                unit.result, unit.error = None, exc
            if not isinstance(exc, Exception):
                raise
        finally:
            for unit in group:
                unit.done = True
                unit.woken.set()
