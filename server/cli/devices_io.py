"""floorlink devices list: every device (MQTT devices and bridges, serial scanners, kiosks)."""

from __future__ import annotations

import json
from typing import Any

import click

from server import db as database
from server.floor.kiosks import list_kiosks
from server.hardware.acl import mosquitto_acl
from server.hardware.listing import list_devices

COLUMNS = ("id", "kind", "source", "station", "location", "bridge", "availability", "last_seen")


def register(cli: click.Group) -> None:
    @cli.group("devices")
    def devices() -> None:
        """Devices heard over MQTT, serial scanners and kiosks (GET /api/v1/devices)."""

    @devices.command("list")
    @click.option("--json", "as_json", is_flag=True, help="Print JSON, one object per device.")
    @click.pass_obj
    def list_command(ctx: Any, as_json: bool) -> None:
        """List every device; MQTT availability is the last known (the CLI has no broker link)."""
        settings = ctx.settings()
        database.bind(settings.database_url)
        with database.database.connection_context():
            rows = list_devices(settings, None, list_kiosks, last_known=True)
        for row in rows:
            if as_json:
                click.echo(json.dumps(row, default=str, sort_keys=True))
            else:
                click.echo("\t".join(str(row.get(c) or "-") for c in COLUMNS))

    @devices.command("mqtt-acl")
    @click.pass_obj
    def acl_command(ctx: Any) -> None:
        """Print the broker's ACL file: one login per bridge, publishing only for its own
        [[devices]] (docs/deployment.md)."""
        settings = ctx.settings()
        click.echo(mosquitto_acl(settings.site, settings.section("devices")), nl=False)
