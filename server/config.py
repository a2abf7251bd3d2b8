"""One validated settings object: a TOML file, overridden by FLOORLINK_* variables.

Unknown keys are an error that names the key. No secret has a default outside demo mode.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

ENV_PREFIX = "FLOORLINK_"
# Variables that steer the process itself rather than naming a setting.
_NON_SETTING_VARS = {"FLOORLINK_CONFIG", "FLOORLINK_TEST_DATABASE_URL"}


class ConfigError(Exception):
    """The configuration cannot be used; the message says which key and why."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ServerSettings(_Section):
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    threads: int = Field(default=64, ge=1, le=1024)
    # The worker's CPU: "auto" (one CPU, when there are several), "off", or a CPU number
    # (server/affinity.py says why).
    cpu: Literal["auto", "off"] | Annotated[int, Field(ge=0, strict=True)] = "auto"

    @field_validator("cpu", mode="before")
    @classmethod
    def _cpu_switch(cls, value: Any) -> Any:
        # FLOORLINK_SERVER__CPU=off arrives as False (an on/off switch), never as CPU 0
        if isinstance(value, bool):
            return "auto" if value else "off"
        if isinstance(value, str):
            word = value.strip().lower()
            return int(word) if word.isdecimal() else word
        return value


class RelaySettings(_Section):
    enabled: bool = True
    timeout_s: float = Field(default=15.0, gt=0)
    batch_size: int = Field(default=100, ge=1)
    poll_interval_s: float = Field(default=1.0, gt=0)


class MqttSettings(_Section):
    enabled: bool = True
    client_id: str = ""
    stale_after_s: float = Field(default=120.0, gt=0)


class PickingSettings(_Section):
    """Batch caps, where cancelled totes go back, and where picked totes are dropped."""

    max_orders: int = Field(default=8, ge=1, le=100)
    max_units: int = Field(default=60, ge=1)
    max_weight_g: int = Field(default=15_000, ge=1)
    max_volume_mm3: int = Field(default=60_000_000, ge=1)
    put_back_location: str = ""  # empty: the first `returns` location of the site
    # "auto": accepted orders are pick work at once; "manual": they wait until a supervisor
    # releases them (a wave: POST /api/v1/picking/waves, floorlink picking wave)
    release: Literal["auto", "manual"] = "auto"
    drop_zone_kind: str = "pack"
    light_ttl_s: float = Field(default=600.0, gt=0)


class FloorSettings(_Section):
    """Kiosk sessions: idle expiry, PIN lockout and how long an enrollment code lives."""

    idle_timeout_s: float = Field(default=900.0, gt=0)
    lockout_attempts: int = Field(default=5, ge=1, le=100)
    lockout_window_s: float = Field(default=900.0, gt=0)
    enrollment_ttl_s: float = Field(default=900.0, gt=0)
    sweep_interval_s: float = Field(default=1.0, gt=0)


class ScannerSettings(_Section):
    id: str
    port: str
    station: str = ""
    baudrate: int = 9600
    terminator: str = Field(default="CR", pattern="^(CR|LF|CRLF)$")


DEVICE_KINDS = ("scanner", "scale", "door", "probe", "pick_to_light", "stack_light", "bridge")


class DeviceSettings(_Section):
    """A device heard over MQTT and where it serves: a station (PACK-01) or a location."""

    id: str = Field(min_length=1, max_length=64)
    kind: Literal["scanner", "scale", "door", "probe", "pick_to_light", "stack_light", "bridge"]
    station: str = ""
    location: str = ""
    bridge: str = ""


class Settings(_Section):
    database_url: str = "sqlite:///var/floorlink.db"
    mqtt_url: str = "mqtt://127.0.0.1:1883"
    secret_key: str | None = None
    site: str = "site1"
    demo: bool = False
    log_level: str = "INFO"
    server: ServerSettings = ServerSettings()
    relay: RelaySettings = RelaySettings()
    mqtt: MqttSettings = MqttSettings()
    picking: PickingSettings = PickingSettings()
    floor: FloorSettings = FloorSettings()
    scanners: list[ScannerSettings] = []
    # Which sensor or light serves which station/location (server/hardware/, docs/devices.md).
    devices: list[DeviceSettings] = []

    @model_validator(mode="after")
    def _secrets_outside_demo(self) -> Settings:
        if not self.demo and not self.secret_key:
            raise ValueError(
                "secret_key is required outside demo mode "
                "(set FLOORLINK_SECRET_KEY or secret_key in the config file)"
            )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


DEMO_SECRET_KEY = "demo-only-secret-key-not-for-production"


def load_settings(
    path: str | os.PathLike[str] | None = None,
    env: dict[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    """Build the settings from a TOML file (or FLOORLINK_CONFIG), the environment and overrides."""
    env = dict(os.environ if env is None else env)
    path = path or env.get("FLOORLINK_CONFIG")
    data: dict[str, Any] = _read_toml(Path(path)) if path else {}
    _merge(data, _from_env(env))
    _merge(data, overrides)
    if data.get("demo") and not data.get("secret_key"):
        data["secret_key"] = DEMO_SECRET_KEY
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc)) from None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None


def _from_env(env: dict[str, str]) -> dict[str, Any]:
    """FLOORLINK_DATABASE_URL -> database_url; FLOORLINK_SERVER__PORT -> server.port."""
    out: dict[str, Any] = {}
    for name, value in env.items():
        if not name.startswith(ENV_PREFIX) or name in _NON_SETTING_VARS:
            continue
        keys = name[len(ENV_PREFIX) :].lower().split("__")
        node = out
        for key in keys[:-1]:
            node = node.setdefault(key, {})
        node[keys[-1]] = _env_value(value)
    return out


def _env_value(value: str) -> Any:
    lowered = value.strip().lower()
    if lowered in ("true", "yes", "on"):
        return True
    if lowered in ("false", "no", "off"):
        return False
    return value


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> None:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = value


def _describe(exc: ValidationError) -> str:
    problems = []
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"]) or "(settings)"
        if err["type"] == "extra_forbidden":
            problems.append(f"unknown key '{key}'")
        else:
            problems.append(f"{key}: {err['msg']}")
    return "invalid configuration: " + "; ".join(problems)
