"""The floor inside a running server: its after-commit listeners and the session sweeper.

`ScreenRefresher` is the floor's one listener for flows: it asks each flow which operators
the committed events concern, re-renders their sessions and pushes the screens.

The sweeper ends idle sessions and, for sessions ended by another process (the CLI, a
second server), logs out the sockets still open here, within `sweep_interval_s`. It also
tails the event log for the refresher's event types committed by another process (those
committed here were handled by the listener at once) and re-renders and pushes the
sessions they concern that have a socket open here, within `sweep_interval_s` too.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Any

import peewee

from server.db import connection
from server.eventlog import public
from server.floor import inputs, push, rules, sockets_registry
from server.floor.flow import Flow
from server.floor.sessions import OPEN, ExpireIdleSessions, sessions_of_operator
from server.leases import Lease
from server.models import Event, FloorSession, utcnow
from server.spine import SYSTEM, Spine

if TYPE_CHECKING:
    from server.runtime import Runtime

log = logging.getLogger(__name__)


class FloorService:
    name = "floor"

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.refresher = ScreenRefresher(runtime.spine, list(runtime.env.flows.values()))
        self.elsewhere = CommittedElsewhere(self.refresher.types)
        if self.refresher.types:
            runtime.spine.subscribe(self.elsewhere.committed_here, self.refresher.types)
        # the idle sessions' expiry runs in one process of a site (server/leases.py); the
        # screens of this process's own sockets are refreshed by every process
        self.expiry = Lease("floor idle sessions")
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self.elsewhere.start()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="floor-sweeper", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None
        self.expiry.release()
        self.elsewhere.stop()

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
        idle = False
        if self._thread is None or self.expiry.held():
            with connection():
                idle = (
                    FloorSession.select().where(OPEN & (FloorSession.last_seen < cutoff)).exists()
                )
        if idle:
            self.runtime.spine.execute(ExpireIdleSessions(idle_s), SYSTEM)
        watched = sockets_registry.open_session_ids()
        foreign = self.elsewhere.new_events()  # read even when nobody watches: it moves on
        if foreign and watched:
            concerned = self.refresher.sessions_concerned(foreign)
            inputs.refresh(self.runtime.spine, [sid for sid in concerned if sid in watched])
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
        inputs.refresh(self.spine, self.sessions_concerned(events))

    def sessions_concerned(self, events: list[dict[str, Any]]) -> list[str]:
        """The open sessions of the operators the events concern, per the flows."""
        badges: set[str] = set()
        with connection():
            for flow in self.flows:
                relevant = [e for e in events if e["type"] in flow.concerns]
                if relevant:
                    badges |= flow.operators_concerned(relevant)
            return [sid for badge in sorted(badges) for sid in sessions_of_operator(badge)]


class CommittedElsewhere:
    """Events of some types committed by another process (the CLI, a second server) since
    the last look, read from the event log by position: one indexed query per look.

    It starts at the head of the log (history is never replayed). Events committed by
    this process are told to `committed_here` after commit (a spine listener) and skipped:
    this process's own listener already handled them.
    """

    REMEMBERED = 10_000  # ids of events committed here not yet seen in the log, at most

    def __init__(self, types: Collection[str]) -> None:
        self.types = frozenset(types)
        self._position: int | None = None  # None: not started
        self._here: dict[str, None] = {}  # insertion-ordered: the oldest go first
        self._lock = threading.Lock()

    def start(self) -> None:
        with connection():
            head = Event.select(peewee.fn.MAX(Event.position)).scalar()
        with self._lock:
            self._here.clear()
            self._position = int(head or 0)

    def stop(self) -> None:
        with self._lock:
            self._position = None
            self._here.clear()

    @property
    def position(self) -> int | None:
        """The last position of the log looked at (None: not started)."""
        return self._position

    def committed_here(self, events: list[dict[str, Any]]) -> None:
        with self._lock:
            if self._position is None:
                return
            for event in events:
                self._here[event["id"]] = None
            while len(self._here) > self.REMEMBERED:
                del self._here[next(iter(self._here))]

    def new_events(self) -> list[dict[str, Any]]:
        """The wanted events committed elsewhere since the last call, in commit order."""
        after = self._position
        if after is None or not self.types:
            return []
        # The wanted events after the last position, and the head row, which tells where
        # the log ends even when none of them is wanted. On SQLite each type is a seek on
        # the type index (which ends with the rowid), the head a primary key lookup.
        head = Event.select(peewee.fn.MAX(Event.position))
        wanted = Event.type.in_(sorted(self.types)) | (Event.position == head)
        with connection():
            rows = list(
                Event.select().where((Event.position > after) & wanted).order_by(Event.position)
            )
        if not rows:
            return []
        found = []
        with self._lock:
            if self._position is None:
                return []
            self._position = max(self._position, rows[-1].position)
            for row in rows:
                if row.type not in self.types:
                    continue  # the head row only
                if row.event_id in self._here:
                    del self._here[row.event_id]  # committed here: already handled
                    continue
                found.append(public(row))
        return found
