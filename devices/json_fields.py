"""Typed reads from a decoded JSON object, failing with one clear :class:`FieldError`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar

from devices.device_data import MAX_TEXT

T = TypeVar("T", bound=str)


class FieldError(ValueError):
    """What is wrong with a payload, worded for the log."""


class Fields:
    """Wraps a JSON object; every getter validates the type and says which field is wrong."""

    def __init__(self, obj: dict[str, Any]) -> None:
        self.obj = obj

    def only(self, *names: str) -> None:
        unknown = sorted(set(self.obj) - set(names))
        if unknown:
            raise FieldError(f"Unknown field {unknown[0]!r}")

    def text(self, name: str, required: bool = True) -> str:
        value = self.obj.get(name)
        if value is None and not required:
            return None  # type: ignore[return-value]
        if not isinstance(value, str) or not value or len(value) > MAX_TEXT:
            raise FieldError(f"{name!r} must be a non-empty string")
        return value

    def choice(self, name: str, choices: Sequence[T]) -> T:
        value = self.obj.get(name)
        if value not in choices:
            raise FieldError(f"{name!r} must be one of {', '.join(choices)}, not {value!r}")
        return value  # type: ignore[return-value]

    def positive_int(self, name: str) -> int:
        value = self.obj.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise FieldError(f"{name!r} must be a positive integer")
        return value

    def flag(self, name: str) -> bool:
        value = self.obj.get(name)
        if not isinstance(value, bool):
            raise FieldError(f"{name!r} must be true or false")
        return value

    def ts(self, name: str, required: bool = True) -> datetime:
        value = self.obj.get(name)
        if value is None and not required:
            return None  # type: ignore[return-value]
        moment = parse_timestamp(value)
        if moment is None:
            raise FieldError(f"{name!r} must be an ISO 8601 timestamp with a time zone")
        return moment


def parse_timestamp(value: Any) -> datetime | None:
    """Parse ``2026-11-23T12:00:00.123Z``; None unless it is a zone-aware ISO 8601 string."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None
