"""floorlink operator add | list | disable | enable | reset-pin | unlock"""

from __future__ import annotations

from typing import Any

import click

from server.floor import operators
from server.models import OPERATOR_ROLES, BadgeLock, FloorOperator


def run(ctx: Any, command_of: Any) -> Any:
    """Build the command (may validate/hash first) and run it as `cli:<user>`."""
    ctx.runtime()
    return ctx.run(command_of())


def register(cli: click.Group) -> None:
    @cli.group("operator")
    def operator() -> None:
        """Floor operators: badge, PIN (argon2id) and roles."""

    @operator.command("add")
    @click.argument("badge")
    @click.option("--name", required=True)
    @click.option(
        "--role", "roles", type=click.Choice(OPERATOR_ROLES), multiple=True, required=True
    )
    @click.option("--pin", required=True, help="4 to 12 digits")
    @click.pass_obj
    def add(ctx: Any, badge: str, name: str, roles: tuple[str, ...], pin: str) -> None:
        """Add an operator."""
        run(ctx, lambda: operators.AddOperator(badge, name, roles, operators.new_pin_hash(pin)))
        click.echo(f"added operator {badge} ({', '.join(roles)})")

    @operator.command("list")
    @click.pass_obj
    def list_operators(ctx: Any) -> None:
        """List operators (never their PINs)."""
        with ctx.connected():
            locked = {row.badge for row in BadgeLock.select()}
            for row in FloorOperator.select().order_by(FloorOperator.badge):
                state = "active" if row.active else "disabled"
                state += ", locked" if row.badge in locked else ""
                click.echo(f"{row.badge}\t{row.name}\t{','.join(row.roles)}\t{state}")

    @operator.command("disable")
    @click.argument("badge")
    @click.pass_obj
    def disable(ctx: Any, badge: str) -> None:
        """Disable an operator (their open sessions end)."""
        run(ctx, lambda: operators.ChangeOperator(badge, active=False))
        click.echo(f"disabled {badge}")

    @operator.command("enable")
    @click.argument("badge")
    @click.pass_obj
    def enable(ctx: Any, badge: str) -> None:
        """Enable a disabled operator."""
        run(ctx, lambda: operators.ChangeOperator(badge, active=True))
        click.echo(f"enabled {badge}")

    @operator.command("reset-pin")
    @click.argument("badge")
    @click.option("--pin", required=True, help="4 to 12 digits")
    @click.pass_obj
    def reset_pin(ctx: Any, badge: str, pin: str) -> None:
        """Set a new PIN (also unlocks the badge)."""
        run(ctx, lambda: operators.ResetPin(badge, operators.new_pin_hash(pin)))
        click.echo(f"new PIN set for {badge}")

    @operator.command("unlock")
    @click.argument("badge")
    @click.pass_obj
    def unlock(ctx: Any, badge: str) -> None:
        """Unlock a badge locked after wrong PINs."""
        result = run(ctx, lambda: operators.UnlockBadge(badge))
        click.echo(f"unlocked {badge}" if result["unlocked"] else f"{badge} was not locked")
