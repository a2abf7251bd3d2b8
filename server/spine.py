"""The spine: every input becomes one command, run by one handler in ONE transaction.

The transaction changes state, appends the events the handler recorded, and remembers the
input's key for de-duplication. Only after commit do listeners run (acknowledge, push the
new screen, wake the relay). A handler that raises rolls everything back.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import peewee

from server import eventlog, rawsql, writes
from server.db import connection, database, is_postgres
from server.errors import FloorlinkError, IdempotencyMismatch
from server.events import Recordable, UndeclaredEvent
from server.group_commit import GroupCommit
from server.models import ProcessedInput

log = logging.getLogger(__name__)

C = TypeVar("C")


@dataclass(frozen=True)
class Actor:
    """Who caused a change: an API key, an operator, a device or the system itself."""

    kind: str
    id: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.id}"


SYSTEM = Actor("system", "floorlink")


class UnrecordedChange(RuntimeError):
    """A handler changed state without recording an event: a bug; the command rolls back."""


@dataclass
class Unit:
    """What one command does inside its transaction: who did it, what it recorded, and the
    running Floorlink's wiring (`env`: settings, flows, hooks) handed over at bootstrap.

    `declared` is the running server's catalogue (every class of every `Area.events`);
    None, for a bare spine of a test or a benchmark, accepts any event."""

    actor: Actor
    events: list[Recordable] = field(default_factory=list)
    env: Any = None
    declared: frozenset[type] | None = None

    def record(self, event: Recordable) -> None:
        """Record a typed event (server/events.py) in this command's transaction."""
        if self.declared is not None and type(event) not in self.declared:
            raise UndeclaredEvent(
                f"{type(event).__name__} is not in any area's Area.events: declare it there"
            )
        self.events.append(event)


@dataclass(frozen=True)
class Dedupe:
    """Remember this input: the same key again returns the stored result, no second effect.

    With a fingerprint, the same key with another fingerprint is refused (422).
    """

    key: str
    fingerprint: str = ""
    # False: run the command first and look the key up only if it fails (its INSERT of the
    # key conflicts, or the command refuses): one statement fewer for inputs that are rarely
    # sent twice (floor inputs); a replay's effects roll back with its savepoint.
    check_first: bool = True


@dataclass(frozen=True)
class Outcome:
    result: Any
    events: list[dict[str, Any]]
    replayed: bool = False


Handler = Callable[[Any, Unit], Any]
Listener = Callable[[list[dict[str, Any]]], None]


class Handlers:
    """A module's table of command handlers (routing is data: a dict from command type to
    handler). An area lists its tables; the bootstrap merges them into the spine's."""

    def __init__(self) -> None:
        self.table: dict[type, Handler] = {}

    def handles(
        self, command_type: type[C]
    ) -> Callable[[Callable[[C, Unit], Any]], Callable[[C, Unit], Any]]:
        def register(fn: Callable[[C, Unit], Any]) -> Callable[[C, Unit], Any]:
            if command_type in self.table:
                raise RuntimeError(f"{command_type.__name__} already has a handler")
            self.table[command_type] = fn
            return fn

        return register


def merge_handlers(tables: Iterable[Mapping[type, Handler]]) -> dict[type, Handler]:
    merged: dict[type, Handler] = {}
    for table in tables:
        for command_type, fn in table.items():
            if command_type in merged and merged[command_type] is not fn:
                raise RuntimeError(f"{command_type.__name__} has two handlers")
            merged[command_type] = fn
    return merged


class UnknownCommand(RuntimeError):
    """No area handles this command type: a wiring bug."""


def fingerprint(payload: Any) -> str:
    blob = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


class Spine:
    """Runs commands; tells listeners about committed events."""

    def __init__(
        self,
        handlers: Mapping[type, Handler],
        env: Any = None,
        events: Iterable[type] | None = None,
    ) -> None:
        self.handlers = dict(handlers)
        self.env = env
        # The event classes handlers may record (None: any, for bare test spines).
        self.events = None if events is None else frozenset(events)
        self._listeners: list[tuple[Listener, frozenset[str] | None]] = []
        self._group = GroupCommit()

    def subscribe(self, listener: Listener, types: frozenset[str] | None = None) -> None:
        """Tell `listener` about committed events of these types (None: every event)."""
        self._listeners.append((listener, types))

    def handler(self, command: Any) -> Handler:
        try:
            return self.handlers[type(command)]
        except KeyError:
            raise UnknownCommand(f"no area handles {type(command).__name__}") from None

    def execute(self, command: Any, actor: Actor, dedupe: Dedupe | None = None) -> Outcome:
        handler = self.handler(command)
        with connection():
            outcome = self._run_once(handler, command, actor, dedupe)
        if outcome.events:
            self._notify(outcome.events)
        return outcome

    def execute_grouped(self, command: Any, actor: Actor, dedupe: Dedupe | None = None) -> Outcome:
        """`execute`, with concurrent callers sharing one transaction (one commit, one fsync),
        each command in its own savepoint (server.group_commit): for frequent small inputs
        such as floor inputs. Inside a caller's transaction it is plain `execute`.

        SQLite only: PostgreSQL commits concurrent transactions together by itself, and a
        shared transaction there held the row locks of every input of its group, taken in
        no order, until the group committed: it deadlocked with order acceptance (which
        locks stock rows in id order), a 503 to inputs of a healthy server (the fault
        campaign, tests/faults, found it)."""
        if database.in_transaction() or is_postgres():
            return self.execute(command, actor, dedupe)
        handler = self.handler(command)
        with connection():
            outcome = self._group.run(lambda: self._run_once(handler, command, actor, dedupe))
        if outcome.events:
            self._notify(outcome.events)
        return outcome

    def _run_once(
        self, handler: Handler, command: Any, actor: Actor, dedupe: Dedupe | None
    ) -> Outcome:
        try:
            with database.atomic():
                return self._transaction(handler, command, actor, dedupe)
        except peewee.IntegrityError:
            # A twin committed the same input first (concurrently, or before when the key is
            # not checked first): answer with its result.
            if dedupe is None:
                raise
            stored = self._stored(dedupe)
            if stored is None:
                raise
            return stored
        except FloorlinkError:
            # Refused now, but maybe only because the first of two sends took effect.
            if dedupe is None or dedupe.check_first:
                raise
            stored = self._stored(dedupe)
            if stored is None:
                raise
            return stored

    @staticmethod
    def _stored(dedupe: Dedupe) -> Outcome | None:
        with database.atomic():
            return _remembered(dedupe)

    def _transaction(
        self, handler: Handler, command: Any, actor: Actor, dedupe: Dedupe | None
    ) -> Outcome:
        if dedupe is not None and dedupe.check_first:
            stored = _remembered(dedupe)
            if stored is not None:
                return stored
        unit = Unit(actor, env=self.env, declared=self.events)
        with writes.tracking() as written:
            result = handler(command, unit)
        _require_events(command, written, unit)
        if dedupe is not None:
            # Before the events: on PostgreSQL appending locks the log's head until commit
            # and every transaction that records events waits for it in turn, so the less
            # runs under that lock the more of them commit per second (and a second send
            # of this input conflicts here, before it queues for the head).
            row = {"key": dedupe.key, "fingerprint": dedupe.fingerprint, "result": result}
            rawsql.insert_rows(ProcessedInput, [row])
        events = eventlog.append(unit.events, str(actor))
        return Outcome(result, events)

    def _notify(self, events: list[dict[str, Any]]) -> None:
        for listener, types in self._listeners:
            wanted = events if types is None else [e for e in events if e["type"] in types]
            if not wanted:
                continue
            try:
                listener(wanted)
            except Exception:
                log.exception("after-commit listener %r failed", listener)


def _require_events(command: Any, written: set[str], unit: Unit) -> None:
    """Nothing changes state without its event (server.writes lists what is bookkeeping)."""
    changed = writes.state_tables(written)
    if changed and not unit.events:
        raise UnrecordedChange(
            f"{type(command).__name__} wrote {', '.join(sorted(changed))} without recording "
            "an event; record one with unit.record(<event>) (or declare a bookkeeping table "
            "with server.writes.exempt)"
        )


def _remembered(dedupe: Dedupe) -> Outcome | None:
    row = rawsql.select_one(ProcessedInput, '"key" = ?', [dedupe.key])
    if row is None:
        return None
    if dedupe.fingerprint and row.fingerprint != dedupe.fingerprint:
        raise IdempotencyMismatch(
            "this key was already used for a different request; use a new key"
        )
    return Outcome(row.result, [], replayed=True)
