"""The floor inside a running server: after-commit pushes and the session sweeper.

The sweeper ends idle sessions and, for sessions ended by another process (the CLI, a
second server), logs out the sockets still open here, within `sweep_interval_s`.
"""

from __future__ import annotations

import logging
import threading

from flask import Flask

from server.db import connection
from server.floor import push, rules, sockets_registry
from server.floor.sessions import OPEN, ExpireIdleSessions
from server.models import FloorSession, utcnow
from server.runtime import Runtime
from server.spine import SYSTEM

log = logging.getLogger(__name__)


class FloorService:
    name = "floor"

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="floor-sweeper", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def _run(self) -> None:
        interval = self.runtime.settings.floor.sweep_interval_s
        while not self._stop.wait(interval):
            try:
                self.sweep()
            except Exception:
                log.exception("floor sweep failed")

    def sweep(self) -> None:
        idle_s = self.runtime.settings.floor.idle_timeout_s
        cutoff = rules.window_start(utcnow(), idle_s)
        with connection():
            idle = FloorSession.select().where(OPEN & (FloorSession.last_seen < cutoff)).exists()
        if idle:
            self.runtime.spine.execute(ExpireIdleSessions(idle_s), SYSTEM)
        watched = sockets_registry.open_session_ids()
        if not watched:
            return
        with connection():
            query = FloorSession.select(FloorSession.session_id, FloorSession.end_reason).where(
                FloorSession.session_id.in_(sorted(watched)) & FloorSession.ended_at.is_null(False)
            )
            ended = [(row.session_id, row.end_reason or "ended") for row in query]
        for session_id, reason in ended:
            push.end_on_sockets(session_id, reason)


def build(app: Flask, runtime: Runtime) -> FloorService:
    push.bind_spine(runtime.spine)
    runtime.spine.subscribe(push.on_committed)
    return FloorService(runtime)
