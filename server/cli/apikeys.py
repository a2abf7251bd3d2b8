"""floorlink apikey create | list | revoke"""

from __future__ import annotations

import click

from server import db as database
from server.api import keys
from server.cli.db import open_current
from server.models import API_SCOPES, ApiKey, isoformat


def _bind(ctx: object) -> None:
    open_current(ctx.settings())


def register(cli: click.Group) -> None:
    @cli.group("apikey")
    def apikey() -> None:
        """API keys of integrators (stored hashed; shown once)."""

    @apikey.command("create")
    @click.argument("name")
    @click.option("--scope", type=click.Choice(API_SCOPES), required=True)
    @click.pass_obj
    def create(ctx: object, name: str, scope: str) -> None:
        """Create a key and print it once."""
        _bind(ctx)
        with database.database.connection_context():
            new = keys.create(name, scope)
        click.echo(new.secret)
        click.echo(
            f"(id {new.row.prefix}, scope {scope}: store it now, it is not shown again)", err=True
        )

    @apikey.command("list")
    @click.pass_obj
    def list_keys(ctx: object) -> None:
        """List keys (never their secrets)."""
        _bind(ctx)
        with database.database.connection_context():
            for key in ApiKey.select().order_by(ApiKey.id):
                state = f"revoked {isoformat(key.revoked_at)}" if key.revoked_at else "active"
                click.echo(f"{key.prefix}\t{key.scope}\t{key.name}\t{state}")

    @apikey.command("revoke")
    @click.argument("key_id")
    @click.pass_obj
    def revoke(ctx: object, key_id: str) -> None:
        """Revoke a key by its id (as `apikey list` shows it)."""
        _bind(ctx)
        with database.database.connection_context():
            if not keys.revoke(key_id):
                raise click.ClickException(f"no active key with id {key_id}")
        click.echo(f"revoked {key_id}")
