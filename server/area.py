"""An area is a plug-in: one package that declares, in one place, what it adds to Floorlink.

Each area package (server/picking/, server/floor/, ...) has a module `area.py` holding
`AREA = Area(...)`; server/areas.py lists them in order, and the bootstrap
(server/bootstrap.py) builds the running server from that list: the spine's handler table
and its catalogue of events, the settings sections, the floor flows, the after-commit
listeners, the background services, the device event routes, the hooks other areas call (an
order accepted or cancelled), the demo seed, the admin operations served by the API and the
CLI.
Nothing registers itself at import (docs/architecture.md, "The shape").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from server.config import Sections, Settings
from server.events import DomainEvent, type_names
from server.operations import Operation
from server.spine import Handlers, Listener, Spine

if TYPE_CHECKING:
    from flask import Flask

    from server.runtime import Runtime, Service


@dataclass(frozen=True)
class Subscription:
    """An after-commit listener and the event classes it is told about (None: every event).

    The listener still receives the committed public event dicts; the spine filters them by
    the type strings of the classes (`types`)."""

    listener: Listener
    events: Sequence[type[DomainEvent]] | None = None

    @property
    def types(self) -> frozenset[str] | None:
        return None if self.events is None else type_names(self.events)

    def wants(self, event_type: str) -> bool:
        types = self.types
        return types is None or event_type in types


@dataclass(frozen=True)
class Env:
    """What a handler may need from the running server, handed to it on its Unit
    (`unit.env`): the settings, the floor flows by name, the hooks by hook point and the
    supervisor exception kinds by kind (`Area.exception_kinds`)."""

    settings: Settings | None = None
    flows: Mapping[str, Any] = field(default_factory=dict)
    hooks: Mapping[str, tuple[Callable[..., None], ...]] = field(default_factory=dict)
    exception_kinds: Mapping[str, Any] = field(default_factory=dict)  # kind -> ExceptionKind

    def run_hooks(self, point: str, *args: Any) -> None:
        for hook in self.hooks.get(point, ()):
            hook(*args)

    def section(self, key: str) -> Any:
        if self.settings is None:
            raise RuntimeError(f"no settings in this spine's environment (section {key!r})")
        return self.settings.section(key)


EMPTY_ENV = Env()

Factory = Callable[["Runtime"], Sequence[Any]]


@dataclass(frozen=True)
class Fix:
    """A one-tap fix of a supervisor exception, shown on the board (docs/supervision.md).

    `run(unit, exception, value)` makes the change inside the board's one command (the
    supervisor is `unit.actor`) with the exception's view (`id`, `kind`, `subject`, `data`)
    and what the supervisor chose (`choose`: "picker" a badge on the floor, "reason" a text,
    None nothing); it returns the resolution text. `resolves`: the exception is resolved in
    the same transaction. `roles`: who may apply it (checked by the server). `offered(view)`:
    whether it applies to this exception now (None: always). `options`: the choices offered
    for `choose` (none: the board's own, e.g. the pickers on the floor)."""

    id: str
    label: str
    run: Callable[[Any, dict[str, Any], str | None], str]
    choose: str | None = None
    resolves: bool = True
    roles: frozenset[str] = frozenset({"supervisor"})
    offered: Callable[[dict[str, Any]], bool] | None = None
    options: Sequence[str] = ()  # what the supervisor chooses from (none: the board's list)


@dataclass(frozen=True)
class ExceptionKind:
    """A kind of supervisor exception an area raises: its label, its urgency (higher is more
    urgent, 0-100) and its fixes; the board adds the generic ones (acknowledge, resolve)."""

    kind: str
    label: str
    urgency: int = 50
    fixes: Sequence[Fix] = ()


@dataclass(frozen=True)
class Area:
    """What one area contributes. Every field is optional but `name`.

    - handlers: the area's handler tables (server.spine.Handlers), merged into the spine's.
    - settings: its config sections, top-level key -> (type, default).
    - flows(runtime): its floor flows (server/floor/flow.py `Flow`), built with their settings.
    - events: the event classes it records (server/events.py), one per public event type:
      the catalogue of docs/webhooks.md; the spine refuses a class no area lists.
    - listeners(runtime): after-commit Subscriptions, by event class.
    - services(app, runtime): background services started with `floorlink serve`.
    - device_routes(runtime): device event type -> route(spine, DeviceEvent)
      (server/hardware/routes.py).
    - hooks: hook point -> fn, called inside another area's transaction (e.g.
      server/orders/handlers.py ORDER_CANCELLED with (order, unit)).
    - operations: admin/OMS operations declared as data (server/operations.py), served by
      the API and the CLI.
    - seed(spine): demo data for `floorlink demo`; returns lines worth printing.
    - exception_kinds: the supervisor exceptions it raises and their one-tap fixes, which
      the board offers (server/board/).
    """

    name: str
    handlers: Sequence[Handlers] = ()
    events: Sequence[type] = ()
    settings: Sections = field(default_factory=dict)
    flows: Factory | None = None
    listeners: Factory | None = None
    services: Callable[[Flask, Runtime], Sequence[Service]] | None = None
    device_routes: Callable[[Runtime], Mapping[str, Any]] | None = None
    hooks: Mapping[str, Callable[..., None]] = field(default_factory=dict)
    operations: Sequence[Operation] = ()
    seed: Callable[[Spine], list[str]] | None = None
    exception_kinds: Sequence[ExceptionKind] = ()
