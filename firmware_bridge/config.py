"""The bridge's ``edge.toml``, validated once; unknown keys are errors that name the key.

Example::

    bridge_id = "edge-pack-01"
    site = "site1"
    mqtt_url = "mqtt://bridge-pack-01:secret@floor-server:1883"
    spool_path = "/var/lib/floorlink/bridge-spool.db"
    spool_capacity = 1000000   # events held for the server; when full, the newest are refused

    [[scanners]]
    id = "scanner-pack-01"
    port = "/dev/serial/by-id/usb-Honeywell_1900-if00"
    terminator = "CR"

    [[scales]]
    id = "scale-pack-01"
    port = "/dev/serial/by-id/usb-Mettler_Toledo-if00"
    mode = "continuous"

    [[lights]]
    id = "ptl-A01"
    kind = "pick_to_light"
    port = "virtual"
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from devices.light_commands import LIGHT_KINDS, LightKind
from devices.mqtt_topics import check_id
from devices.serial_scale import ScaleConfig
from devices.serial_scanner import ScannerConfig


class ConfigError(ValueError):
    """What is wrong with the bridge config, naming the file and the key."""


@dataclass(frozen=True)
class LightConfig:
    id: str
    kind: LightKind
    port: str = "virtual"
    baudrate: int = 9600

    def __post_init__(self) -> None:
        if self.kind not in LIGHT_KINDS:
            raise ValueError(f"kind must be one of {', '.join(LIGHT_KINDS)}, not {self.kind!r}")


@dataclass(frozen=True)
class BridgeConfig:
    bridge_id: str
    site: str
    mqtt_url: str = "mqtt://127.0.0.1:1883"
    spool_path: str = "bridge-spool.db"
    spool_capacity: int = 1_000_000  # events; when full the newest are refused
    scanners: tuple[ScannerConfig, ...] = ()
    scales: tuple[ScaleConfig, ...] = ()
    lights: tuple[LightConfig, ...] = ()

    @property
    def device_ids(self) -> list[str]:
        return [d.id for group in (self.scanners, self.scales, self.lights) for d in group]


SECTIONS: dict[str, type] = {
    "scanners": ScannerConfig,
    "scales": ScaleConfig,
    "lights": LightConfig,
}
SCALARS = ("bridge_id", "site", "mqtt_url", "spool_path", "spool_capacity")
INT_SCALARS = ("spool_capacity",)


def load_config(path: str | Path) -> BridgeConfig:
    """Read and validate ``path``; raise :class:`ConfigError` with a precise message."""
    try:
        with open(path, "rb") as handle:
            raw = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    try:
        return parse_config(raw)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from exc


def parse_config(raw: dict[str, Any]) -> BridgeConfig:
    unknown = sorted(set(raw) - set(SCALARS) - set(SECTIONS))
    if unknown:
        raise ConfigError(f"unknown key {unknown[0]!r}")
    for key in ("bridge_id", "site"):
        if key not in raw:
            raise ConfigError(f"missing key {key!r}")
    scalars: dict[str, Any] = {
        key: _typed(key, raw[key], int if key in INT_SCALARS else str)
        for key in SCALARS
        if key in raw
    }
    if scalars.get("spool_capacity", 1) < 1:
        raise ConfigError("'spool_capacity' must be at least 1")
    sections: dict[str, Any] = {
        name: _section(name, shape, raw.get(name, [])) for name, shape in SECTIONS.items()
    }
    config = BridgeConfig(**scalars, **sections)
    _check_ids(config)
    return config


def _section(name: str, shape: type, entries: Any) -> tuple[Any, ...]:
    if not isinstance(entries, list):
        raise ConfigError(f"{name!r} must be an array of tables ([[{name}]])")
    return tuple(_entry(f"{name}[{index}]", shape, entry) for index, entry in enumerate(entries))


def _entry(where: str, shape: type, entry: Any) -> Any:
    if not isinstance(entry, dict):
        raise ConfigError(f"{where} must be a table")
    known = {field.name: field for field in fields(shape)}
    unknown = sorted(set(entry) - set(known))
    if unknown:
        raise ConfigError(f"unknown key '{where}.{unknown[0]}'")
    values = {
        key: _typed(f"{where}.{key}", value, _python_type(known[key].type))
        for key, value in entry.items()
    }
    try:
        return shape(**values)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where}: {exc}") from exc


def _python_type(annotation: Any) -> type:
    text = str(annotation)
    if text.startswith("int"):
        return int
    if text.startswith("float"):
        return float
    return str


def _typed(where: str, value: Any, expected: type) -> Any:
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, expected) or isinstance(value, bool):
        raise ConfigError(f"'{where}' must be a {expected.__name__}, not {value!r}")
    return value


def _check_ids(config: BridgeConfig) -> None:
    try:
        check_id(config.bridge_id, "bridge_id")
        check_id(config.site, "site")
        for device_id in config.device_ids:
            check_id(device_id, "device id")
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
    seen: set[str] = set()
    for device_id in config.device_ids:
        if device_id in seen:
            raise ConfigError(f"device id {device_id!r} is used twice")
        seen.add(device_id)
