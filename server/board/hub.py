"""Keeping the open boards live: after commit, the model is read again once for every
board and pushed to the `board` room of the `/kiosk` Socket.IO namespace; never polled.

- The after-commit listener only notes which parts the events touch, and how urgently
  (server/board/model.py `touches`), and wakes the hub's thread when that is news: it
  costs the committing thread nothing.
- The thread reads the urgent parts at once, at most one model per `min_push_interval_s`
  whatever the rate of commits, and the floor's progress at most once per `PROGRESS_S`,
  all of it together. It pushes only the parts whose content changed (encoded once, for
  every board); when nothing changed, nothing is sent.
- Events committed by another process (the CLI, the relay on its own) are read from the
  event log by position (server/floor/service.py `CommittedElsewhere`), once a second;
  the dock doors' registry rows are looked at as often (a door's state is no event).
- While boards are open, what changes with time alone (`TIMED`: ages, late orders, last
  seen) is read again every `refresh_s`; that push is sent even when nothing changed, so
  a board's "as of" is never older than `refresh_s`.
- With no board open nothing is read (the throughput counters still count).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING, Any

from server.board import docks, watchers
from server.board.model import PARTS, PROGRESS_S, TIMED, BoardModel, touches
from server.board.throughput import Throughput
from server.db import connection
from server.floor.service import CommittedElsewhere
from server.models import utcnow
from server.realtime import socketio

if TYPE_CHECKING:
    from server.runtime import Runtime

log = logging.getLogger(__name__)
NAMESPACE = "/kiosk"
ROOM = "board"
TAIL_EVERY_S = 1.0


class BoardHub:
    name = "board"

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.throughput = Throughput()
        self.model = BoardModel(runtime, self.throughput)
        types = frozenset(getattr(c, "type", "") for c in runtime.spine.events or ()) - {""}
        self.elsewhere = CommittedElsewhere(types)
        self._touched: dict[str, bool] = dict.fromkeys(PARTS, True)  # part -> urgent
        self._lock = threading.Lock()
        self._computing = threading.Lock()  # one model at a time (the hub, a board opening)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._doors: tuple[Any, ...] | None = None
        self.last_push = self.last_progress = self.last_refresh = 0.0
        self.pushes = 0
        self.pushed_bytes = 0

    # -- after commit (the committing thread: keep it short) -------------------------------

    def committed(self, events: list[dict[str, Any]]) -> None:
        self.elsewhere.committed_here(events)
        counted = self.throughput.add(events, utcnow())
        self.touch(touches(e["type"] for e in events), counted)

    def touch(self, touched: dict[str, bool], counted: bool = False) -> None:
        if counted:
            touched.setdefault("throughput", False)
        if not touched:
            return
        with self._lock:
            news = any(
                p not in self._touched or (urgent and not self._touched[p])
                for p, urgent in touched.items()
            )
            for part, urgent in touched.items():
                self._touched[part] = self._touched.get(part, False) or urgent
        if news:  # a part not yet waiting, or now urgent: the wait may be shorter
            self._wake.set()

    # -- the service ------------------------------------------------------------------------

    def start(self) -> None:
        with connection():
            self.throughput.load(utcnow())
        self.elsewhere.start()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="board-hub", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None
        self.elsewhere.stop()

    def current(self) -> dict[str, Any]:
        """The whole model as it is now, for a board that just opened (what waits to be
        read is read first, and pushed to the boards already open)."""
        with self._lock:
            pending = bool(self._touched)
        if pending:
            self._compute(everything=True)
        with self._computing:
            return self.model.view()

    def wake(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        settings = self.runtime.settings.section("board")
        last_tail = 0.0
        while not self._stop.is_set():
            self._wake.wait(self._wait(settings, last_tail))
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                now = time.monotonic()
                if now - last_tail >= TAIL_EVERY_S:
                    last_tail = now
                    self._tail()
                if not watchers.count():
                    continue
                if now - self.last_refresh >= settings.refresh_s:
                    self.touch(dict.fromkeys(TIMED, True))
                    self._compute(refresh=True)
                elif self._due(settings, now):
                    self._compute()
            except Exception:
                log.exception("board push failed")
                self._stop.wait(1.0)

    def _due(self, settings: Any, now: float) -> bool:
        """Whether a compute is due now: urgent parts once the push interval has passed,
        the floor's progress once its own has."""
        with self._lock:
            urgent = any(self._touched.values())
            progress = bool(self._touched) and not urgent
        if now - self.last_push < settings.min_push_interval_s:
            return False
        return urgent or (progress and now - self.last_progress >= PROGRESS_S)

    def _wait(self, settings: Any, last_tail: float) -> float:
        """Seconds until something may be due: the next look at the log and the doors,
        the refresh, the push interval for urgent parts, the progress interval."""
        now = time.monotonic()
        due = [last_tail + TAIL_EVERY_S]
        if watchers.count():
            due.append(self.last_refresh + settings.refresh_s)
            with self._lock:
                urgent = any(self._touched.values())
                progress = bool(self._touched)
            after_push = self.last_push + settings.min_push_interval_s
            if urgent:
                due.append(after_push)
            elif progress:
                due.append(max(after_push, self.last_progress + PROGRESS_S))
        return max(0.0, min(due) - now)

    def _tail(self) -> None:
        foreign = self.elsewhere.new_events()
        if foreign:
            counted = self.throughput.add(foreign, utcnow())
            self.touch(touches(e["type"] for e in foreign), counted)
        if not watchers.count():
            return
        with connection():
            doors = docks.door_signature(self.runtime.settings)
        if self._doors is not None and doors != self._doors:
            self.touch({"docks": True})
        self._doors = doors

    def _compute(self, everything: bool = False, refresh: bool = False) -> None:
        """Read the touched parts again (all of them when `everything`, else the urgent
        ones and, when its interval has passed, the progress) and push what changed."""
        with self._computing:
            began = time.monotonic()
            with self._lock:
                progress_due = everything or began - self.last_progress >= PROGRESS_S
                due = {p for p, urgent in self._touched.items() if urgent or progress_due}
                for part in due:
                    del self._touched[part]
            try:
                changed = self.model.compute(due)
            except Exception:
                with self._lock:
                    for part in due:
                        self._touched.setdefault(part, True)  # read these again next time
                raise
            self.last_push = began
            if progress_due:
                self.last_progress = began
            if refresh or due.issuperset(TIMED):  # a board opening reads everything
                self.last_refresh = began
            if changed or refresh:
                self._push(self.model.push(changed))  # in the lock: pushes in version order

    def _push(self, text: str) -> None:
        """One emit to the room, the payload JSON text: Socket.IO would otherwise walk the
        whole model looking for binary parts before encoding it."""
        if socketio.server is None:
            return
        socketio.emit("board", text, to=ROOM, namespace=NAMESPACE)
        self.pushes += 1
        self.pushed_bytes += len(text)
