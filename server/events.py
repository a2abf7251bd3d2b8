"""Typed events: the catalogue of what Floorlink can emit lives in code.

Each event type is one frozen dataclass, declared in the area that records it
(server/<area>/events.py) and listed in that area's `Area.events` (server/area.py). A class
carries its public type string (`type`, a ClassVar such as "order.accepted"), and gives the
event's `subject` and `data` as properties, built from its fields: they are exactly the
`type`, `subject` and `data` of the event object webhooks and the feed carry
(docs/webhooks.md), so a class is the one place an event's shape is written.

A handler records one with `unit.record(OrderAccepted(view))` (server/spine.py). The
running server's spine refuses a class no area declares (`UndeclaredEvent`), so the areas'
lists are the whole catalogue; tests/sync/test_event_catalogue.py checks docs/webhooks.md
against it. After-commit listeners subscribe by class (server/area.py `Subscription`) and
still receive the committed public event dicts.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar, Protocol


class Recordable(Protocol):
    """What the spine appends to the log: a type, a subject and a JSON-able data dict."""

    @property
    def type(self) -> str: ...

    @property
    def subject(self) -> str: ...

    @property
    def data(self) -> dict[str, Any]: ...


class DomainEvent:
    """Base of the areas' event classes (subclasses are frozen dataclasses)."""

    __slots__ = ()
    type: ClassVar[str]

    @property
    def subject(self) -> str:
        raise NotImplementedError

    @property
    def data(self) -> dict[str, Any]:
        raise NotImplementedError


class UndeclaredEvent(RuntimeError):
    """A handler recorded an event class that no area declares in `Area.events`: a bug."""


def type_names(classes: Iterable[type[DomainEvent]]) -> frozenset[str]:
    """The public type strings of these event classes (what listeners filter on)."""
    return frozenset(cls.type for cls in classes)
