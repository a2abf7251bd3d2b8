"""The supervision's events (server/events.py): exceptions raised and resolved. Both have
the exception as subject, so they form one stream; `data.subject` names what it is about."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from server.events import DomainEvent


@dataclass(frozen=True)
class ExceptionRaised(DomainEvent):
    type: ClassVar[str] = "exception.raised"
    exception: dict[str, Any]  # exception_view (server/supervision/exceptions.py)

    @property
    def subject(self) -> str:
        return f"exception:{self.exception['id']}"

    @property
    def data(self) -> dict[str, Any]:
        return self.exception


@dataclass(frozen=True)
class ExceptionResolved(DomainEvent):
    type: ClassVar[str] = "exception.resolved"
    exception: dict[str, Any]  # exception_view, resolved

    @property
    def subject(self) -> str:
        return f"exception:{self.exception['id']}"

    @property
    def data(self) -> dict[str, Any]:
        return self.exception


EVENTS = (ExceptionRaised, ExceptionResolved)
