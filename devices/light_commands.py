"""Commands for light devices (pick-to-light modules, stack lights), validated.

The server sends, and the bridge and the simulator execute::

    pick_to_light  show {text, color, qty?}   off {}
    stack_light    set {color, blink?}

:func:`parse_light_command` turns a received :class:`~devices.payloads.Command` into one
of the frozen commands below, or an error message; :func:`state_after` is the retained
state the device reports once the command ran.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from devices.device_data import (
    PICK_COLORS,
    STACK_COLORS,
    PickLightData,
    StackLightData,
    check_value,
)

LightKind = Literal["pick_to_light", "stack_light"]
LIGHT_KINDS = ("pick_to_light", "stack_light")
MAX_DISPLAY = 32


@dataclass(frozen=True)
class Show:
    text: str
    color: str = "green"
    qty: int | None = None


@dataclass(frozen=True)
class Off:
    pass


@dataclass(frozen=True)
class SetStack:
    color: str
    blink: bool = False


LightCommand = Show | Off | SetStack


def parse_light_command(kind: LightKind, name: str, args: Mapping[str, Any]) -> LightCommand | str:
    """Validate a command for a light of ``kind``; return it or what is wrong."""
    if kind == "pick_to_light" and name == "show":
        return _show(args)
    if kind == "pick_to_light" and name == "off":
        return Off() if not args else f"off takes no arguments, got {sorted(args)}"
    if kind == "stack_light" and name == "set":
        return _set_stack(args)
    return f"Unknown command {name!r} for a {kind}"


def _show(args: Mapping[str, Any]) -> Show | str:
    unknown = sorted(set(args) - {"text", "color", "qty"})
    if unknown:
        return f"show: unknown argument {unknown[0]!r}"
    text, color, qty = args.get("text"), args.get("color", "green"), args.get("qty")
    if not isinstance(text, str) or len(text) > MAX_DISPLAY:
        return f"show: 'text' must be a string of at most {MAX_DISPLAY} characters"
    if color not in PICK_COLORS:
        return f"show: 'color' must be one of {', '.join(PICK_COLORS)}"
    if check_value(qty, "int", nullable=True):
        return "show: 'qty' must be a non-negative integer"
    return Show(text, color, qty)


def _set_stack(args: Mapping[str, Any]) -> SetStack | str:
    unknown = sorted(set(args) - {"color", "blink"})
    if unknown:
        return f"set: unknown argument {unknown[0]!r}"
    color, blink = args.get("color"), args.get("blink", False)
    if color not in STACK_COLORS:
        return f"set: 'color' must be one of {', '.join(STACK_COLORS)}"
    if not isinstance(blink, bool):
        return "set: 'blink' must be true or false"
    return SetStack(color, blink)


def state_after(command: LightCommand) -> PickLightData | StackLightData:
    """The state a light reports after executing ``command``."""
    if isinstance(command, Show):
        return PickLightData(lit=True, text=command.text, color=command.color, qty=command.qty)
    if isinstance(command, SetStack):
        return StackLightData(color=command.color, blink=command.blink)
    return PickLightData(lit=False)
