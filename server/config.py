"""One validated settings object: a TOML file, overridden by FLOORLINK_* variables.

Unknown keys are an error that names the key. No secret has a default outside demo mode.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    create_model,
    field_validator,
    model_validator,
)

ENV_PREFIX = "FLOORLINK_"
# Variables that steer the process itself rather than naming a setting.
_NON_SETTING_VARS = {"FLOORLINK_CONFIG", "FLOORLINK_TEST_DATABASE_URL"}


class ConfigError(Exception):
    """The configuration cannot be used; the message says which key and why."""


class Section(BaseModel):
    """A settings section: frozen, unknown keys refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ServerSettings(Section):
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    threads: int = Field(default=64, ge=1, le=1024)
    # The most database connections this process keeps (None: threads + 8). A request holds
    # one for a transaction only; past the limit it waits for one (up to 30 s), so fewer
    # connections than threads is fine. On PostgreSQL `serve` lowers it at start to what
    # max_connections leaves free (server/cli/serve.py `fit_pool`).
    db_connections: int | None = Field(default=None, ge=2, le=2048)
    # The worker's CPU: "auto" (one CPU, when there are several), "off", or a CPU number
    # (server/affinity.py says why).
    cpu: Literal["auto", "off"] | Annotated[int, Field(ge=0, strict=True)] = "auto"

    @property
    def pool(self) -> int:
        return self.db_connections or self.threads + 8

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


class RealtimeSettings(Section):
    # Flask-SocketIO's message queue (python-socketio's RedisManager, the `redis` client):
    # with it, a push after commit in any `floorlink serve` reaches a kiosk on any other.
    redis_url: str | None = None


class Settings(Section):
    database_url: str = "sqlite:///var/floorlink.db"
    mqtt_url: str = "mqtt://127.0.0.1:1883"
    # FLOORLINK_REDIS_URL; `[realtime] redis_url` wins when both are set
    redis_url: str | None = None
    secret_key: str | None = None
    site: str = "site1"
    demo: bool = False
    log_level: str = "INFO"
    server: ServerSettings = ServerSettings()
    realtime: RealtimeSettings = RealtimeSettings()

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

    @property
    def message_queue(self) -> str | None:
        """The Redis URL that joins the Socket.IO servers of several processes, if any."""
        return self.realtime.redis_url or self.redis_url or None

    def section(self, key: str) -> Any:
        """An area's section (`[picking]`, `[[devices]]`...), declared by the area
        (server/area.py) and validated with the rest by `load_settings`."""
        try:
            return getattr(self, key)
        except AttributeError:
            raise KeyError(f"no settings section {key!r}: no area declares it") from None


# An area's sections: top-level key -> (type, default), e.g. {"picking": (PickingSettings,
# PickingSettings())}; the settings class of a running Floorlink has the core keys and these.
Sections = Mapping[str, tuple[Any, Any]]


DEMO_SECRET_KEY = "demo-only-secret-key-not-for-production"
_CLASSES: dict[tuple[tuple[str, int], ...], type[Settings]] = {}


def _settings_class(sections: Sections) -> type[Settings]:
    """The settings class with these sections (made once per set of sections: pydantic
    builds a validator per class)."""
    if not sections:
        return Settings
    key = tuple(sorted((name, id(kind)) for name, (kind, _) in sections.items()))
    if key not in _CLASSES:
        fields: dict[str, Any] = dict(sections)
        _CLASSES[key] = create_model("Settings", __base__=Settings, **fields)
    return _CLASSES[key]


def load_settings(
    path: str | os.PathLike[str] | None = None,
    env: dict[str, str] | None = None,
    *,
    sections: Sections | None = None,
    **overrides: Any,
) -> Settings:
    """Build the settings from a TOML file (or FLOORLINK_CONFIG), the environment and overrides.

    `sections` are the areas' sections (server/areas.py passes every area's); a key that is
    neither core nor an area's is an error that names it."""
    env = dict(os.environ if env is None else env)
    path = path or env.get("FLOORLINK_CONFIG")
    data: dict[str, Any] = _read_toml(Path(path)) if path else {}
    _merge(data, _from_env(env))
    _merge(data, overrides)
    if data.get("demo") and not data.get("secret_key"):
        data["secret_key"] = DEMO_SECRET_KEY
    try:
        model = _settings_class(sections or {})
        return model.model_validate(data)
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
