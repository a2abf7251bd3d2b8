"""floorlink device add | list | revoke (kiosk devices: handhelds and stations)"""

from __future__ import annotations

from typing import Any

import click

from server.cli.operators import run
from server.floor import kiosks
from server.models import KIOSK_KINDS


def register(cli: click.Group) -> None:
    @cli.group("device")
    def device() -> None:
        """Kiosk devices: enrollment codes and revocation."""

    @device.command("add")
    @click.argument("device_id")
    @click.option("--kind", type=click.Choice(KIOSK_KINDS), required=True)
    @click.option("--station", default=None, help="The station a station kiosk serves")
    @click.pass_obj
    def add(ctx: Any, device_id: str, kind: str, station: str | None) -> None:
        """Create a kiosk and print its one-time enrollment code."""
        ttl = ctx.settings().section("floor").enrollment_ttl_s
        result = run(ctx, lambda: kiosks.AddKiosk(device_id, kind, station, ttl))
        click.echo(result["enrollment_code"])
        click.echo(
            f"(enroll {device_id} at /kiosk/ within {int(ttl // 60)} min; single use)", err=True
        )

    @device.command("list")
    @click.pass_obj
    def list_devices(ctx: Any) -> None:
        """List kiosks with their enrollment state and availability."""
        with ctx.connected():
            for k in kiosks.list_kiosks():
                station = k["station"] or "-"
                click.echo(f"{k['id']}\t{k['kind']}\t{station}\t{k['state']['enrollment']}")

    @device.command("revoke")
    @click.argument("device_id")
    @click.pass_obj
    def revoke(ctx: Any, device_id: str) -> None:
        """Revoke a kiosk: its token stops working and its sessions end."""
        run(ctx, lambda: kiosks.RevokeKiosk(device_id))
        click.echo(f"revoked {device_id}")
