"""What each kind of device reports: event ``data`` and retained ``state``, validated.

Each shape is a frozen dataclass plus a table of its fields. :func:`event_data` checks the
``data`` of an event by its type; :func:`state_data` recognises the kind of device from
the keys of a state (a scale's ``grams``/``stable``, a door's ``open``, ...). Both return
an error message (str) instead of raising.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

PICK_COLORS = ("red", "green", "blue", "yellow", "white", "cyan", "magenta")
STACK_COLORS = ("red", "amber", "green", "blue", "white", "off")
MAX_TEXT = 4096


@dataclass(frozen=True)
class ScanData:
    raw: str


@dataclass(frozen=True)
class ScanErrorData:
    error: str
    raw: str | None = None


@dataclass(frozen=True)
class WeightData:
    grams: float
    stable: bool


@dataclass(frozen=True)
class PressData:
    button: str | None = None


@dataclass(frozen=True)
class DoorData:
    open: bool


@dataclass(frozen=True)
class TemperatureData:
    celsius: float


@dataclass(frozen=True)
class PickLightData:
    lit: bool
    text: str | None = None
    color: str | None = None
    qty: int | None = None


@dataclass(frozen=True)
class StackLightData:
    color: str
    blink: bool = False


Data = (
    ScanData
    | ScanErrorData
    | WeightData
    | PressData
    | DoorData
    | TemperatureData
    | PickLightData
    | StackLightData
)

# field -> (kind, required); kinds: "str", "float", "bool", "int"
FIELDS: dict[type, dict[str, tuple[str, bool]]] = {
    ScanData: {"raw": ("str", True)},
    ScanErrorData: {"error": ("str", True), "raw": ("str", False)},
    WeightData: {"grams": ("float", True), "stable": ("bool", True)},
    PressData: {"button": ("str", False)},
    DoorData: {"open": ("bool", True)},
    TemperatureData: {"celsius": ("float", True)},
    PickLightData: {
        "lit": ("bool", True),
        "text": ("str", False),
        "color": ("str", False),
        "qty": ("int", False),
    },
    StackLightData: {"color": ("str", True), "blink": ("bool", False)},
}
EVENT_TYPES: dict[str, type] = {
    "scan": ScanData,
    "scan_error": ScanErrorData,
    "weight": WeightData,
    "press": PressData,
    "door": DoorData,
    "temperature": TemperatureData,  # a probe's reading (cold chain)
}
STATE_KINDS: dict[str, type] = {
    "scale": WeightData,
    "door": DoorData,
    "temperature": TemperatureData,
    "pick_to_light": PickLightData,
    "stack_light": StackLightData,
}


def event_data(event_type: str, data: Any) -> Data | str:
    """Validate the ``data`` of an event of ``event_type``."""
    shape = EVENT_TYPES.get(event_type)
    if shape is None:
        return f"Unknown event type {event_type!r} (known: {', '.join(EVENT_TYPES)})"
    return build(shape, data, f"{event_type} data")


def state_data(state: Any) -> tuple[str, Data] | str:
    """Recognise a state by its keys; return ``(kind, data)`` or an error message."""
    if not isinstance(state, dict):
        return "State must be a JSON object"
    keys = set(state)
    for kind, shape in STATE_KINDS.items():
        fields = FIELDS[shape]
        required = {name for name, (_, needed) in fields.items() if needed}
        if required <= keys <= set(fields):
            built = build(shape, state, f"{kind} state")
            return built if isinstance(built, str) else (kind, built)
    return f"Unrecognised state {sorted(keys)} (expected one of: {_state_shapes()})"


def build(shape: type, obj: Any, label: str) -> Data | str:
    """Check ``obj`` against the field table of ``shape`` and build it."""
    if not isinstance(obj, dict):
        return f"{label}: expected a JSON object"
    fields = FIELDS[shape]
    unknown = sorted(set(obj) - set(fields))
    if unknown:
        return f"{label}: unknown field {unknown[0]!r}"
    for name, (kind, required) in fields.items():
        if name not in obj:
            if required:
                return f"{label}: missing field {name!r}"
            continue
        problem = check_value(obj[name], kind, nullable=not required)
        if problem:
            return f"{label}: {name!r} {problem}"
    values = {
        name: float(value) if fields[name][0] == "float" else value for name, value in obj.items()
    }
    return shape(**values)


def check_value(value: Any, kind: str, nullable: bool = False) -> str | None:
    """Return what is wrong with ``value`` for ``kind``, or None."""
    if value is None and nullable:
        return None
    if kind == "str":
        ok = isinstance(value, str) and len(value) <= MAX_TEXT
        return None if ok else f"expected a string of at most {MAX_TEXT} characters"
    if kind == "bool":
        return None if isinstance(value, bool) else "expected true or false"
    if kind == "int":
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
        return None if ok else "expected a non-negative integer"
    number = isinstance(value, int | float) and not isinstance(value, bool)
    return None if number and math.isfinite(value) else "expected a number"


def _state_shapes() -> str:
    return "; ".join(
        f"{kind} {{{', '.join(FIELDS[shape])}}}" for kind, shape in STATE_KINDS.items()
    )


def as_dict(data: Data) -> dict[str, Any]:
    """The JSON form of ``data`` (optional fields that are None are left out)."""
    return {name: value for name, value in vars(data).items() if value is not None}
