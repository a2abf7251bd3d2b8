"""floorlink picking hold | release | wave | batches | reassign | unassign | put-backs | put-back"""

from __future__ import annotations

import json
from typing import Any

import click

from server.models import PickBatch
from server.orders.holds import HoldOrder, ReleaseOrder
from server.picking.handlers import AssignBatch
from server.picking.put_backs import CompletePutBack, pending_put_backs
from server.picking.views import batch_view
from server.picking.waves import ReleaseWave


def _run(ctx: Any, command: Any) -> None:
    click.echo(json.dumps(ctx.run(command), indent=2))


def register(cli: click.Group) -> None:
    @cli.group("picking")
    def picking() -> None:
        """Supervise picking: hold/release orders, (re/un)assign batches, put-backs."""

    @picking.command("hold")
    @click.argument("external_id")
    @click.option("--reason", default="")
    @click.pass_obj
    def hold(ctx: Any, external_id: str, reason: str) -> None:
        """Hold an order back from picking."""
        _run(ctx, HoldOrder(external_id, reason))

    @picking.command("release")
    @click.argument("external_id")
    @click.pass_obj
    def release(ctx: Any, external_id: str) -> None:
        """Release a held order."""
        _run(ctx, ReleaseOrder(external_id))

    @picking.command("reassign")
    @click.argument("batch_id")
    @click.argument("badge")
    @click.pass_obj
    def reassign(ctx: Any, batch_id: str, badge: str) -> None:
        """Give a batch to another picker."""
        _run(ctx, AssignBatch(batch_id, badge))

    @picking.command("unassign")
    @click.argument("batch_id")
    @click.pass_obj
    def unassign(ctx: Any, batch_id: str) -> None:
        """Take a batch from its picker; the next picker gets it."""
        _run(ctx, AssignBatch(batch_id, None))

    @picking.command("batches")
    @click.pass_obj
    def batches(ctx: Any) -> None:
        """List the batches not yet dropped."""
        with ctx.connected():
            rows = PickBatch.select().where(PickBatch.status != "dropped").order_by(PickBatch.id)
            for batch in rows:
                view = batch_view(batch)
                orders = ",".join(o["external_id"] for o in view["orders"])
                click.echo(
                    f"{view['batch_id']}\t{view['status']}\t{view['operator'] or '-'}\t{orders}"
                )

    @picking.command("put-backs")
    @click.pass_obj
    def put_backs(ctx: Any) -> None:
        """Totes waiting to be put back (orders cancelled after the pack zone)."""
        with ctx.connected():
            click.echo(json.dumps(pending_put_backs(), indent=2))

    @picking.command("put-back")
    @click.argument("tote")
    @click.argument("location")
    @click.pass_obj
    def put_back(ctx: Any, tote: str, location: str) -> None:
        """The tote's units are back at LOCATION: stock returns there, the tote is free."""
        _run(ctx, CompletePutBack(tote, location))

    @picking.command("wave")
    @click.option("--limit", default=1000, show_default=True, type=click.IntRange(1, 10_000))
    @click.option(
        "--ship-by-before",
        type=click.DateTime(["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"]),
        help="Only orders due before this time (UTC).",
    )
    @click.option("--channel", default=None, help="Only orders of this sales channel.")
    @click.pass_obj
    def wave(ctx: Any, limit: int, ship_by_before: Any, channel: str | None) -> None:
        """Release a wave of orders waiting for release (picking.release = manual)."""
        _run(ctx, ReleaseWave(limit, ship_by_before, channel))
