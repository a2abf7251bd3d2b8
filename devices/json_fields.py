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

    @classmethod
    def nested(cls, value: Any, name: str) -> Fields:
        """The object inside a field (FieldError if it is not one)."""
        if not isinstance(value, dict):
            raise FieldError(f"{name!r} must be a JSON object")
        return cls(value)

    def objects(self, name: str, most: int = 10_000) -> list[Fields]:
        """A list of objects (empty when absent)."""
        value = self.obj.get(name, [])
        if not isinstance(value, list) or len(value) > most:
            raise FieldError(f"{name!r} must be a list of at most {most} objects")
        return [Fields.nested(item, name) for item in value]

    def only(self, *names: str) -> None:
        unknown = sorted(set(self.obj) - set(names))
        if unknown:
            raise FieldError(f"Unknown field {unknown[0]!r}")

    def text(self, name: str) -> str:
        value = self.obj.get(name)
        if not isinstance(value, str) or not value or len(value) > MAX_TEXT:
            raise FieldError(f"{name!r} must be a non-empty string")
        return value

    def optional_text(self, name: str) -> str | None:
        return None if self.obj.get(name) is None else self.text(name)

    def choice(self, name: str, choices: Sequence[T]) -> T:
        value = self.obj.get(name)
        for choice in choices:
            if value == choice:
                return choice
        raise FieldError(f"{name!r} must be one of {', '.join(choices)}, not {value!r}")

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

    def optional_ts(self, name: str) -> datetime | None:
        return None if self.obj.get(name) is None else self.ts(name)

    def ts(self, name: str) -> datetime:
        moment = parse_timestamp(self.obj.get(name))
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
