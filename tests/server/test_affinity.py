"""Which CPU the server's worker runs on (server.cpu): rules and configuration."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from server.affinity import CpuSettingError, choose_cpu
from server.areas import load_settings
from server.config import ConfigError


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
    ("value", "parsed"),
    [
        ("auto", "auto"),
        ("AUTO", "auto"),
        ("off", "off"),
        (" Off ", "off"),
        ("false", "off"),
        ("1", 1),
        ("0", 0),
    ],
)
def test_server_cpu_from_the_environment(value: str, parsed: str | int) -> None:
    env = {"FLOORLINK_SECRET_KEY": "k", "FLOORLINK_SERVER__CPU": value}
    assert load_settings(env=env).server.cpu == parsed


@pytest.mark.parametrize("value", ["fast", "-1", "1.5", "1.0"])
def test_a_bad_server_cpu_names_the_key(value: str) -> None:
    with pytest.raises(ConfigError, match="server.cpu"):
        load_settings(env={"FLOORLINK_SECRET_KEY": "k", "FLOORLINK_SERVER__CPU": value})


@pytest.mark.parametrize(
    ("toml", "parsed"), [("0", 0), ('"Off"', "off"), ("false", "off"), ("true", "auto")]
)
def test_server_cpu_in_the_file(tmp_path: Path, toml: str, parsed: str | int) -> None:
    path = tmp_path / "f.toml"
    path.write_text(f'secret_key = "s"\n[server]\ncpu = {toml}\n')
    assert load_settings(path, env={}).server.cpu == parsed


def test_a_float_cpu_in_the_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "f.toml"
    path.write_text('secret_key = "s"\n[server]\ncpu = 1.0\n')
    with pytest.raises(ConfigError, match="server.cpu"):
        load_settings(path, env={})


def test_a_cpu_that_cannot_be_taken_leaves_the_worker_running_unpinned() -> None:
    """A cpuset that shrank since the server started: a warning, never a worker that
    fails to boot (gunicorn would halt the server)."""
    code = (
        "import logging, os; logging.basicConfig(level=logging.INFO)\n"
        "from server.affinity import pin_process\n"
        "before = os.sched_getaffinity(0)\n"
        "print(pin_process(4096), os.sched_getaffinity(0) == before)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["False", "True"]
    assert "not pinned to CPU 4096" in done.stderr


def test_an_os_that_does_not_say_ignores_a_cpu_number_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert choose_cpu(1, set()) is None
    assert "server.cpu = 1 ignored" in caplog.text
