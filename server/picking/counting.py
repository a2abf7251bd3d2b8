"""Pure quantity rules of one pick task: counting scans, keyed counts, short reasons."""

from __future__ import annotations

from dataclasses import dataclass

SHORT_REASONS = {"empty": "location empty", "damaged": "damaged", "not_found": "not found"}


@dataclass(frozen=True)
class Counted:
    count: int


@dataclass(frozen=True)
class CountRefused:
    message: str


def add_units(counted: int, units: int, remaining: int, sku: str) -> Counted | CountRefused:
    """Each product scan adds one unit (a GS1 count (37) adds that many); never over-pick."""
    if units <= 0:
        return CountRefused(f"a count must be at least 1; {remaining - counted} {sku} to pick")
    if counted + units > remaining:
        return CountRefused(
            f"that is {counted + units} {sku}; only {remaining} to pick here (over-pick)"
        )
    return Counted(counted + units)


def keyed_count(value: object, remaining: int, sku: str) -> Counted | CountRefused:
    """A count keyed in for large quantities: a whole number from 1 to what is left."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return CountRefused(f"key a whole number from 1 to {remaining}")
    if not 1 <= number <= remaining:
        return CountRefused(f"key a number from 1 to {remaining} ({sku}); {number} is not")
    return Counted(number)


def short_reason(value: object) -> str | None:
    """The reason code of a short pick, or None when it is not one we know."""
    text = str(value or "").strip().lower().replace(" ", "_").replace("-", "_")
    return text if text in SHORT_REASONS else None
