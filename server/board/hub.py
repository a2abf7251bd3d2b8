"""Keeping the open boards live: after commit, the model is recomputed once for every
board and pushed to the `board` room of the `/kiosk` Socket.IO namespace; never polled.

- The after-commit listener only notes which parts the events touch and wakes the hub's
  thread: it costs the committing thread nothing.
- The thread coalesces: one model per `min_push_interval_s` at most, whatever the rate of
  commits, computed once and emitted once to the room (one encoding for every board). A
  push carries only the parts read again (`BoardModel.partial`); a board applies it over
  the version it holds, or asks for the whole model (`board.watch`) when it holds another.
- Events committed by another process (the CLI, the relay on its own) are read from the
  event log by position (server/floor/service.py `CommittedElsewhere`), once a second.
- While boards are open, the model is also recomputed every `refresh_s` (devices' last
  seen, sync's oldest pending age, which change without an event).
- With no board open nothing is computed (the throughput counters still count).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import TYPE_CHECKING, Any

from server.board import watchers
from server.board.model import PARTS, BoardModel, parts_touched
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
        self._touched: set[str] = set(PARTS)
        self._lock = threading.Lock()
        self._computing = threading.Lock()  # one model at a time (the hub, a board opening)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last: dict[str, Any] | None = None
        self.pushes = 0

    # -- after commit (the committing thread: keep it short) -------------------------------

    def committed(self, events: list[dict[str, Any]]) -> None:
        self.elsewhere.committed_here(events)
        self.throughput.add(events, utcnow())
        touched = parts_touched(e["type"] for e in events)
        if not touched:
            return
        with self._lock:
            new = touched - self._touched  # already waiting to be read: no need to wake
            self._touched |= touched
        if new:
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
        """The model as it is now, for a board that just opened (computed if none yet or
        changes wait)."""
        with self._lock:
            last, pending = self._last, bool(self._touched)
        if last is not None and not pending:
            return last
        model = self._compute(force=True)
        assert model is not None
        return model

    def wake(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        settings = self.runtime.settings.section("board")
        last_push = last_tail = 0.0
        while not self._stop.is_set():
            self._wake.wait(TAIL_EVERY_S)
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
                with self._lock:
                    touched = set(self._touched)
                if not touched and now - last_push < settings.refresh_s:
                    continue
                if not touched:  # the refresh: what changes with time alone (ages, late)
                    touched = set(PARTS)
                    with self._lock:
                        self._touched |= touched
                due, later = self.model.due(touched)
                if not due:  # only progress, read a moment ago: until it is due, or news
                    if not self._wake.wait(self.model.next_due(later)):
                        self._wake.set()
                    continue
                wait = settings.min_push_interval_s - (now - last_push)
                if wait > 0 and self._stop.wait(wait):
                    return
                self._compute()
                last_push = time.monotonic()
            except Exception:
                log.exception("board push failed")
                self._stop.wait(1.0)

    def _tail(self) -> None:
        foreign = self.elsewhere.new_events()
        if not foreign:
            return
        self.throughput.add(foreign, utcnow())
        with self._lock:
            self._touched |= parts_touched(e["type"] for e in foreign)

    def _compute(self, force: bool = False) -> dict[str, Any] | None:
        """The model with the touched parts read again (those due; all when `force`);
        None when nothing was due."""
        with self._computing:
            with self._lock:
                due, later = (set(self._touched), set()) if force else self.model.due(self._touched)
                self._touched = later
            if not due and not force:
                return None
            try:
                model = self.model.compute(due)
            except Exception:
                with self._lock:
                    self._touched |= due  # try these parts again next time
                raise
            with self._lock:
                self._last = model
            self._push(BoardModel.partial(model))  # in the lock: pushes in version order
            return model

    def _push(self, model: dict[str, Any]) -> None:
        """One emit to the room, the payload encoded once as JSON text: Socket.IO would
        otherwise walk the whole model looking for binary parts before encoding it."""
        if socketio.server is None:
            return
        text = json.dumps(model, separators=(",", ":"), default=str)
        socketio.emit("board", text, to=ROOM, namespace=NAMESPACE)
        self.pushes += 1
