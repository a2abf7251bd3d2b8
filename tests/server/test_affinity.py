"""Which CPU the server's worker runs on (server.cpu): rules and configuration."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.affinity import CpuSettingError, choose_cpu
from server.config import ConfigError, load_settings


@pytest.mark.parametrize(
    ("setting", "allowed", "chosen"),
    [
        ("auto", {0, 1}, 1),
        ("auto", {0, 1, 2, 3}, 3),
        ("auto", {2, 5}, 5),  # a cpuset: the last CPU the process may use
        ("auto", {0}, None),  # one CPU already: nothing to pin
        ("auto", set(), None),  # the OS does not say
        ("off", {0, 1}, None),
        (0, {0, 1}, 0),
        (1, {0, 1}, 1),
    ],
)
def test_the_worker_cpu(setting: str | int, allowed: set[int], chosen: int | None) -> None:
    assert choose_cpu(setting, allowed) == chosen


def test_a_cpu_the_process_may_not_use_is_refused_with_the_ones_it_may() -> None:
    with pytest.raises(CpuSettingError, match=r"server.cpu = 4: .* CPUs 0, 1 only"):
        choose_cpu(4, {0, 1})


@pytest.mark.parametrize(
    ("value", "parsed"), [("auto", "auto"), ("off", "off"), ("false", "off"), ("1", 1), ("0", 0)]
)
def test_server_cpu_from_the_environment(value: str, parsed: str | int) -> None:
    env = {"FLOORLINK_SECRET_KEY": "k", "FLOORLINK_SERVER__CPU": value}
    assert load_settings(env=env).server.cpu == parsed


@pytest.mark.parametrize("value", ["fast", "-1", "1.5"])
def test_a_bad_server_cpu_names_the_key(value: str) -> None:
    with pytest.raises(ConfigError, match="server.cpu"):
        load_settings(env={"FLOORLINK_SECRET_KEY": "k", "FLOORLINK_SERVER__CPU": value})


def test_server_cpu_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "f.toml"
    path.write_text('secret_key = "s"\n[server]\ncpu = 0\n')
    assert load_settings(path, env={}).server.cpu == 0
