"""floorlink db upgrade | status"""

from __future__ import annotations

import click

from server import db as database
from server import migrations


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
        with database.database.connection_context():
            have = migrations.current_version()
        click.echo(f"database: {have}, this Floorlink: {migrations.latest_version()}")
