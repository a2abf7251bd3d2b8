"""The `floorlink` command: one click group, one module per area of commands."""

from __future__ import annotations

import getpass
import importlib
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

from server import db as database
from server import migrations
from server.areas import load_settings
from server.config import ConfigError, Settings
from server.errors import FloorlinkError, unavailable
from server.runtime import Runtime
from server.spine import Actor

T = TypeVar("T")

# Each module exposes `register(group)`. server.cli.operations adds the areas' operations
# (Area.operations): `floorlink picking|operator|device|webhook ...`.
COMMAND_MODULES = [
    "server.cli.db",
    "server.cli.apikeys",
    "server.cli.serve",
    "server.cli.demo",
    "server.cli.operations",
    "server.cli.webhooks",
    "server.cli.relay",
    "server.cli.devices_io",
    "server.cli.simulate",
    "server.cli.bridge",
]


class Context:
    """What every command gets: the settings (the TOML file and FLOORLINK_* variables) and
    a runtime built by the same bootstrap as the server's, so a command sees the configured
    settings and its after-commit listeners run."""

    def __init__(self, config_path: str | None) -> None:
        self.config_path = config_path
        self._runtime: Runtime | None = None

    def settings(self, **overrides: Any) -> Settings:
        try:
            return load_settings(self.config_path, **overrides)
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from None

    @property
    def actor(self) -> Actor:
        """The audit actor of every CLI command: `cli:<user>` (docs/operations.md)."""
        return Actor("cli", getpass.getuser())

    def runtime(self) -> Runtime:
        """The database bound and checked, and the runtime of this configuration."""
        if self._runtime is None:
            from server.bootstrap import build_runtime

            settings = self.settings()
            database.bind(settings.database_url)
            try:
                migrations.check_current()
            except migrations.SchemaOutOfDate as exc:
                raise click.ClickException(str(exc)) from None
            self._runtime = build_runtime(settings)
        return self._runtime

    def run(self, command: Any | Callable[[], Any]) -> Any:
        """Run one command as `cli:<user>` and return its result. `command` may be a
        function that builds it, called with a connection but outside the transaction (a
        lookup first, a PIN hashed). The one way the CLI runs a command."""
        spine = self.runtime().spine
        with refusals(), database.database.connection_context():
            built = command() if callable(command) else command
            return spine.execute(built, self.actor).result

    def read(self, fn: Callable[[], T]) -> T:
        """Answer a read on the configured database (bound and checked)."""
        self.runtime()
        with refusals(), database.database.connection_context():
            return fn()


@contextmanager
def refusals() -> Iterator[None]:
    """The CLI's one translation of a domain error, or of a database that cannot take the
    work (a full disk): a clear message (exit status 1), never a traceback."""
    try:
        yield
    except FloorlinkError as exc:
        errors = "; ".join(f"{e['field']}: {e['message']}" for e in exc.errors)
        raise click.ClickException(f"{exc.detail}{f' ({errors})' if errors else ''}") from None
    except Exception as exc:
        refused = unavailable(exc)
        if refused is None:
            raise
        raise click.ClickException(f"{refused.title}: {refused.detail}") from None


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
