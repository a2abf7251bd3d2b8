"""The floor inside a running server: its after-commit listeners and the session sweeper.

`ScreenRefresher` is the floor's one listener for flows: it asks each flow which operators
the committed events concern, re-renders their sessions and pushes the screens.

The sweeper ends idle sessions and, for sessions ended by another process (the CLI, a
second server), logs out the sockets still open here, within `sweep_interval_s`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from server.db import connection
from server.floor import inputs, push, rules, sockets_registry
from server.floor.flow import Flow
from server.floor.sessions import OPEN, ExpireIdleSessions, sessions_of_operator
from server.models import FloorSession, utcnow
from server.spine import SYSTEM, Spine

if TYPE_CHECKING:
    from server.runtime import Runtime

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
        interval = self.runtime.settings.section("floor").sweep_interval_s
        while not self._stop.wait(interval):
            try:
                self.sweep()
            except Exception:
                log.exception("floor sweep failed")

    def sweep(self) -> None:
        idle_s = self.runtime.settings.section("floor").idle_timeout_s
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


class ScreenRefresher:
    """After commit: the sessions whose flow screen the events changed are re-rendered
    and pushed (an order cancelled while picked, a batch reassigned)."""

    def __init__(self, spine: Spine, flows: Sequence[Flow]) -> None:
        self.spine = spine
        self.flows = [f for f in flows if f.concerns]
        self.types = frozenset().union(*(f.concerns for f in self.flows))

    def __call__(self, events: list[dict[str, Any]]) -> None:
        badges: set[str] = set()
        with connection():
            for flow in self.flows:
                relevant = [e for e in events if e["type"] in flow.concerns]
                if relevant:
                    badges |= flow.operators_concerned(relevant)
            ids = [sid for badge in sorted(badges) for sid in sessions_of_operator(badge)]
        inputs.refresh(self.spine, ids)
