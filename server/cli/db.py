"""floorlink db upgrade | status"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import click
import peewee

from server import db as database
from server import migrations
from server.config import Settings


@contextlib.contextmanager
def reachable(url: str) -> Iterator[None]:
    """A database that cannot be reached (or used) is a one-line error, not a traceback."""
    try:
        yield
    except (peewee.OperationalError, peewee.InterfaceError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise click.ClickException(f"database {_safe(url)}: {first}") from None


def _safe(url: str) -> str:
    """The URL without its password."""
    head, sep, tail = url.partition("@")
    if not sep or ":" not in head.split("//", 1)[-1]:
        return url
    scheme, _, user = head.partition("//")
    return f"{scheme}//{user.split(':', 1)[0]}:***@{tail}"


def open_current(settings: Settings) -> peewee.Database:
    """Bind the database of `settings` and make sure its schema is the one this code needs."""
    bound = database.bind(settings.database_url)
    with reachable(settings.database_url):
        try:
            migrations.check_current()
        except migrations.SchemaOutOfDate as exc:
            raise click.ClickException(str(exc)) from None
    return bound


def register(cli: click.Group) -> None:
    @cli.group("db")
    def db_group() -> None:
        """The database schema."""

    @db_group.command("upgrade")
    @click.pass_obj
    def upgrade(ctx: object) -> None:
        """Apply every missing migration (safe to run again)."""
        settings = ctx.settings()
        database.bind(settings.database_url)
        with reachable(settings.database_url):
            applied = migrations.upgrade()
        if applied:
            click.echo("applied: " + ", ".join(applied))
        click.echo(f"schema is at version {migrations.latest_version()}")

    @db_group.command("status")
    @click.pass_obj
    def status(ctx: object) -> None:
        """Show the schema version of the database and of this code."""
        settings = ctx.settings()
        database.bind(settings.database_url)
        with reachable(settings.database_url), database.database.connection_context():
            have = migrations.current_version()
        click.echo(f"database: {have}, this Floorlink: {migrations.latest_version()}")
