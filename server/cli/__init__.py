"""The `floorlink` command: one click group, one module per area of commands."""

from __future__ import annotations

import importlib
import logging
import sys
from typing import Any

import click

from server.config import ConfigError, Settings, load_settings

# Each module exposes `register(group)`.
COMMAND_MODULES = [
    "server.cli.db",
    "server.cli.apikeys",
    "server.cli.serve",
    "server.cli.demo",
    "server.cli.webhooks",
    "server.cli.relay",
    "server.cli.operators",
    "server.cli.devices_cli",
    "server.cli.picking",
    "server.cli.devices_io",
    "server.cli.simulate",
    "server.cli.bridge",
]


class Context:
    def __init__(self, config_path: str | None) -> None:
        self.config_path = config_path

    def settings(self, **overrides: Any) -> Settings:
        try:
            return load_settings(self.config_path, **overrides)
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from None


@click.group()
@click.option(
    "--config",
    "config_path",
    envvar="FLOORLINK_CONFIG",
    default=None,
    help="TOML config file (or FLOORLINK_CONFIG).",
)
@click.pass_context
def cli(ctx: click.Context, config_path: str | None) -> None:
    """Floorlink: the local server of a warehouse floor."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    ctx.obj = Context(config_path)


for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(cli)


def main() -> None:
    sys.exit(cli.main(prog_name="floorlink", standalone_mode=True))
