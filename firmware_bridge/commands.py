"""Commands from ``device/<id>/cmd/<name>``: check, execute once, and say how it went.

An expired command (``expires_at`` in the past, e.g. queued in the broker while the bridge
was offline) is answered ``expired`` and not executed: a pick light must not show a pick
that was reassigned meanwhile. A command redelivered with a ``cmd_id`` already handled is
answered again with the first outcome, without executing it twice.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from devices.device_data import Data
from devices.light_commands import parse_light_command
from devices.payloads import Command
from firmware_bridge.lights import Light, LightFailed

SCALE_COMMANDS = {"zero": "Z", "tare": "T"}
REMEMBERED = 1000


class Scale(Protocol):
    def send(self, name: str) -> bool: ...


@dataclass(frozen=True)
class Outcome:
    status: str  # ok | expired | rejected | failed
    message: str | None = None
    state: Data | None = None


class CommandRunner:
    def __init__(self, lights: Mapping[str, Light], scales: Mapping[str, Scale]) -> None:
        self._lights = lights
        self._scales = scales
        self._done: OrderedDict[tuple[str, str], Outcome] = OrderedDict()

    def run(self, command: Command, now: datetime | None = None) -> Outcome:
        key = (command.device_id, command.cmd_id)
        if key in self._done:
            first = self._done[key]
            return Outcome(first.status, first.message)
        outcome = self._execute(command, now)
        self._done[key] = outcome
        if len(self._done) > REMEMBERED:
            self._done.popitem(last=False)
        return outcome

    def _execute(self, command: Command, now: datetime | None) -> Outcome:
        if command.expired(now):
            return Outcome("expired", f"expired at {command.expires_at}")
        light = self._lights.get(command.device_id)
        if light is not None:
            return self._run_light(light, command)
        scale = self._scales.get(command.device_id)
        if scale is not None:
            return self._run_scale(scale, command)
        return Outcome("rejected", f"{command.device_id} is not a command device of this bridge")

    def _run_light(self, light: Light, command: Command) -> Outcome:
        parsed = parse_light_command(light.config.kind, command.name, command.args)
        if isinstance(parsed, str):
            return Outcome("rejected", parsed)
        try:
            return Outcome("ok", state=light.apply(parsed))
        except LightFailed as exc:
            return Outcome("failed", str(exc))

    def _run_scale(self, scale: Scale, command: Command) -> Outcome:
        sics = SCALE_COMMANDS.get(command.name)
        if sics is None or command.args:
            return Outcome("rejected", f"scales take {', '.join(SCALE_COMMANDS)} without arguments")
        if not scale.send(sics):
            return Outcome("failed", "scale not connected")
        return Outcome("ok")
