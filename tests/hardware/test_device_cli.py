"""floorlink devices list | simulate | bridge: the CLI passes through to the device programs."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from server.cli import cli


def test_bridge_passes_its_own_config_through(tmp_path: Path) -> None:
    edge = tmp_path / "edge.toml"
    edge.write_text('bridge_id = "edge-1"\n')
    result = CliRunner().invoke(cli, ["bridge", "--config", str(edge)])
    assert result.exit_code == 2
    assert "site" in result.output  # firmware_bridge names the missing key


def test_simulate_passes_arguments_through() -> None:
    result = CliRunner().invoke(cli, ["simulate", "--no-such-option"])
    assert result.exit_code == 2


def test_devices_list_shows_configured_devices(db_url: str, tmp_path: Path) -> None:
    config = tmp_path / "floorlink.toml"
    config.write_text(
        f'database_url = "{db_url}"\nsecret_key = "k"\n'
        '[[devices]]\nid = "scale-pack-01"\nkind = "scale"\nstation = "PACK-01"\n'
    )
    result = CliRunner().invoke(cli, ["--config", str(config), "devices", "list", "--json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    scale = next(r for r in rows if r["id"] == "scale-pack-01")
    assert (scale["kind"], scale["station"], scale["availability"]) == (
        "scale",
        "PACK-01",
        "offline",
    )
