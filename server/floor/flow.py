"""The contract between the floor machinery (sessions, inputs, pushes) and the flows.

A flow (picking, packing, returns, dispatch) is a set of plain functions over a context:
it never sees Flask or Socket.IO. The floor machinery:
  - opens a session for an operator on an enrolled device (or a station),
  - turns every input (kiosk HTTP, Socket.IO, a serial scanner at the station, a
    pick-to-light button) into ONE spine command, de-duplicated on its input id, in ONE
    transaction,
  - routes the universal action `home` itself, everything else to the session's flow,
  - stores the returned Screen as the session's current screen and returns/pushes it.

A flow keeps its durable state in its own tables (a batch assigned to an operator survives
logout); `ctx.state` is a small per-session scratch dict that is persisted with the session.
Flows are built at bootstrap by their area (server/area.py `Area.flows`) and reach the
machinery on the unit (`unit.env.flows`). When something outside the session changes what
a flow shows (an order cancelled while it is being picked), the floor's one after-commit
listener (server/floor/service.py) asks every flow which operators the committed events
concern (`Flow.concerns`, `Flow.operators_concerned`), re-renders their sessions with
`Flow.render` and pushes the screens: a flow never pushes by itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal, Protocol

from devices.barcode import DecodeError, Scan
from server.spine import Unit

Expect = Literal[
    "badge",
    "location",
    "product",
    "tote",
    "quantity",
    "package",
    "order",
    "rma",
    "dock",
    "none",
    "pin",
]
Level = Literal["ok", "warn", "error"]


@dataclass(frozen=True)
class ActionInput:
    """A value the operator keys in before the action is sent (docs/architecture.md, Floor
    protocol).

    The kiosk shows a keypad titled `label` and sends `{input_id, action, value}` with a
    whole number from `min` to `max`. It is a hint for the client: the flow still validates
    the value it receives and answers a bad one with an error screen.
    """

    kind: Literal["number"]
    label: str
    min: int | None = None
    max: int | None = None


@dataclass(frozen=True)
class Action:
    id: str
    label: str
    input: ActionInput | None = None  # None: a plain button, sent without a value

    def __post_init__(self) -> None:
        # A screen read back from its stored JSON carries `input` as a dict.
        if isinstance(self.input, dict):
            object.__setattr__(self, "input", ActionInput(**self.input))


@dataclass(frozen=True)
class Feedback:
    level: Level
    message: str


@dataclass(frozen=True)
class Screen:
    """What a kiosk shows (docs/architecture.md, Floor protocol).

    `name` is `<flow>.<step>`, e.g. pick.scan_location."""

    name: str
    title: str
    prompt: str
    expect: Expect
    target: dict[str, Any] = field(default_factory=dict)
    actions: list[Action] = field(default_factory=list)
    feedback: Feedback | None = None
    progress: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """As `dataclasses.asdict`, written out: asdict deep-copies every value and cost a
        measurable share of each floor input (docs/performance.md, "Picking")."""
        fb = self.feedback
        return {
            "name": self.name,
            "title": self.title,
            "prompt": self.prompt,
            "expect": self.expect,
            "target": _copied(self.target),
            "actions": _copied(self.actions),
            "feedback": {"level": fb.level, "message": fb.message} if fb else None,
            "progress": _copied(self.progress),
        }

    def with_feedback(self, level: Level, message: str) -> Screen:
        return replace(self, feedback=Feedback(level, message))


def _copied(value: Any) -> Any:
    """A copy of JSON-like data (dicts, lists, tuples, dataclasses as dicts; scalars shared),
    as asdict makes it."""
    if hasattr(type(value), "__dataclass_fields__"):
        return {k: _copied(v) for k, v in vars(value).items()}
    if isinstance(value, dict):
        return {k: _copied(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_copied(v) for v in value)
    return value


@dataclass(frozen=True)
class FloorInput:
    """One input of a session. Exactly one of `scan` / `action` is set.

    `decoded` is the result of devices.barcode.decode(scan) (a Scan or a DecodeError), done
    by the machinery before the flow sees the input; `source` says where it came from
    ("kiosk", "socket", "serial:<scanner_id>", "light:<device_id>").
    """

    input_id: str
    scan: str | None = None
    decoded: Scan | DecodeError | None = None
    action: str | None = None
    value: Any = None
    source: str = "kiosk"


@dataclass(frozen=True)
class Operator:
    id: int
    badge: str
    name: str
    roles: frozenset[str]


@dataclass
class FlowContext:
    """What a flow gets for one input: who, where, its scratch state, and the unit of work."""

    session_id: str
    operator: Operator
    device_id: str
    station: str | None
    unit: Unit
    state: dict[str, Any]
    settings: Any = None  # the flow's own settings section (Flow.settings_key), if any


class Flow(Protocol):
    name: str  # the home action id: "pick", "pack", "returns", "dispatch", "supervise"
    label: str  # the home button label
    roles: frozenset[str]  # operators with any of these roles see it on home
    settings_key: str | None  # its settings section, given as ctx.settings (None: none)
    # The type strings of the event classes that may change a screen of this flow, derived
    # from the classes (server.events.type_names), as the floor's refresher filters on them.
    concerns: frozenset[str]

    def enter(self, ctx: FlowContext) -> Screen:
        """The operator chose this flow on home: the first screen (resume work if any)."""
        ...

    def handle(self, ctx: FlowContext, inp: FloorInput) -> Screen:
        """One input in this flow; raise nothing for operator mistakes: return an error screen."""
        ...

    def render(self, ctx: FlowContext) -> Screen:
        """The current screen from durable state, without an input (after a push)."""
        ...

    def operators_concerned(self, events: list[dict[str, Any]]) -> set[str]:
        """After commit, with events of the `concerns` types (and a connection): the badges
        of the operators whose screen in this flow they change."""
        ...


def notices(flows: Iterable[Flow], roles: frozenset[str], station: str | None) -> list[str]:
    """What the flows an operator may choose say about this station before work starts
    (a flow may define `notice(station) -> str | None`: a pack station without a scale)."""
    said = []
    for flow in flows:
        notice = getattr(flow, "notice", None)
        if flow.roles & roles and notice is not None and (text := notice(station)):
            said.append(text)
    return said


def flows_of(unit: Unit) -> Mapping[str, Flow]:
    """The running server's flows, by name (built at bootstrap, handed over on the unit)."""
    return unit.env.flows if unit.env is not None else {}


def entered(flow: Flow, ctx: FlowContext) -> FlowContext:
    """The context as `flow` sees it: with its own settings section."""
    if flow.settings_key and ctx.unit.env is not None:
        ctx.settings = ctx.unit.env.section(flow.settings_key)
    return ctx
