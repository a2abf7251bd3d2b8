"""Settings: a TOML file, FLOORLINK_* overrides, unknown keys named, no secret by default."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.areas import load_settings
from server.config import DEMO_SECRET_KEY, ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "floorlink.toml"
    path.write_text(text)
    return path


def test_toml_file_is_read(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'secret_key = "s"\nsite = "ams"\n[server]\nport = 9000\n[relay]\nenabled = false\n',
    )
    settings = load_settings(path, env={})
    assert (settings.site, settings.server.port, settings.relay.enabled) == ("ams", 9000, False)


def test_environment_overrides_file_including_nested_keys(tmp_path: Path) -> None:
    path = write(tmp_path, 'secret_key = "s"\nsite = "ams"\n[server]\nport = 9000\n')
    env = {
        "FLOORLINK_SITE": "rtm",
        "FLOORLINK_SERVER__PORT": "8080",
        "FLOORLINK_DATABASE_URL": "postgresql://db/floor",
        "FLOORLINK_MQTT_URL": "mqtt://broker:1883",
        "FLOORLINK_RELAY__ENABLED": "false",
    }
    settings = load_settings(path, env=env)
    assert settings.site == "rtm"
    assert settings.server.port == 8080
    assert settings.database_url == "postgresql://db/floor"
    assert settings.mqtt_url == "mqtt://broker:1883"
    assert settings.relay.enabled is False


def test_config_file_can_come_from_the_environment(tmp_path: Path) -> None:
    path = write(tmp_path, 'secret_key = "s"\nsite = "from-file"\n')
    assert load_settings(env={"FLOORLINK_CONFIG": str(path)}).site == "from-file"


@pytest.mark.parametrize(
    ("toml", "env", "named"),
    [
        ('secret_key = "s"\ncolour = "red"\n', {}, "colour"),
        ('secret_key = "s"\n[server]\nprot = 1\n', {}, "server.prot"),
        ('secret_key = "s"\n', {"FLOORLINK_SERVER__WORKERS": "4"}, "server.workers"),
        ('secret_key = "s"\n', {"FLOORLINK_DATABSE_URL": "x"}, "databse_url"),
    ],
)
def test_unknown_key_is_an_error_that_names_it(
    tmp_path: Path, toml: str, env: dict[str, str], named: str
) -> None:
    with pytest.raises(ConfigError, match=f"unknown key '{named}'"):
        load_settings(write(tmp_path, toml), env=env)


def test_bad_value_names_the_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="server.port"):
        load_settings(write(tmp_path, 'secret_key = "s"\n'), env={"FLOORLINK_SERVER__PORT": "x"})


def test_secret_is_required_outside_demo_mode() -> None:
    with pytest.raises(ConfigError, match="secret_key is required"):
        load_settings(env={})
    assert load_settings(env={"FLOORLINK_SECRET_KEY": "k"}).secret_key == "k"


def test_demo_mode_has_a_secret_of_its_own() -> None:
    assert load_settings(env={"FLOORLINK_DEMO": "true"}).secret_key == DEMO_SECRET_KEY


def test_broken_toml_and_missing_file_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(write(tmp_path, "secret_key = \n"), env={})
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "missing.toml", env={})


def test_defaults_serve_a_single_box() -> None:
    settings = load_settings(env={"FLOORLINK_SECRET_KEY": "k"})
    assert settings.database_url.startswith("sqlite:///")
    assert settings.mqtt_url == "mqtt://127.0.0.1:1883"


def test_the_documented_config_example_is_valid() -> None:
    import re

    doc = (Path(__file__).parents[2] / "docs" / "operations.md").read_text()
    example = re.search(r"```toml\n(.*?)```", doc, re.S)
    assert example is not None
    settings = load_settings(env={}, **tomllib_loads(example.group(1)))
    assert settings.server.port == 8000


def tomllib_loads(text: str) -> dict[str, object]:
    import tomllib

    return tomllib.loads(text)
