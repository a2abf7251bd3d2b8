"""floorlink webhook add | list | disable | enable | rotate-secret | pause | resume | test | replay"""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from server import db
from server.models import WebhookDelivery, WebhookEndpoint
from server.sync.endpoints import (
    CreateEndpoint,
    RotateSecret,
    SendTestEvent,
    SetEndpointStatus,
    endpoint_view,
)
from server.sync.replay import ReplayEvents


def _run(ctx: Any, command: Any) -> Any:
    return ctx.run(command)


def _when(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(f"not an ISO 8601 time: {value}") from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
    return parsed


def _status_command(group: click.Group, name: str, action: str, help_: str) -> None:
    @group.command(name, help=help_)
    @click.argument("endpoint_id")
    @click.pass_obj
    def command(ctx: Any, endpoint_id: str) -> None:
        view = _run(ctx, SetEndpointStatus(endpoint_id, action, f"{action} from the CLI"))
        click.echo(f"{view['id']} is {view['status']}")


def register(cli: click.Group) -> None:  # noqa: C901 - one small command each
    @cli.group("webhook")
    def webhook() -> None:
        """Webhook endpoints of the OMS (secrets shown once)."""

    @webhook.command("add")
    @click.argument("url")
    @click.option("--events", required=True, help="Comma list, wildcards: order.*,return.*")
    @click.option("--description", default="")
    @click.pass_obj
    def add(ctx: Any, url: str, events: str, description: str) -> None:
        """Add an endpoint and print its secret once."""
        types = [t.strip() for t in events.split(",") if t.strip()]
        view = _run(ctx, CreateEndpoint(url, types, description))
        click.echo(view["secret"])
        click.echo(
            f"(endpoint {view['id']}: store the secret now, it is not shown again)", err=True
        )

    @webhook.command("list")
    @click.pass_obj
    def list_endpoints(ctx: Any) -> None:
        """Endpoints with their status and what they still owe."""
        database = db.bind(ctx.settings().database_url)
        with database.connection_context():
            for row in WebhookEndpoint.select().order_by(WebhookEndpoint.id):
                view = endpoint_view(row)
                owed = (
                    WebhookDelivery.select()
                    .where(
                        WebhookDelivery.endpoint == row.id, WebhookDelivery.status != "delivered"
                    )
                    .count()
                )
                events = ",".join(view["events"])
                click.echo(f"{view['id']}\t{view['status']}\t{events}\t{owed} owed\t{view['url']}")
        database.close_all()

    _status_command(webhook, "pause", "pause", "Hold deliveries (nothing is dropped).")
    _status_command(webhook, "resume", "resume", "Deliver again, in order.")
    _status_command(webhook, "disable", "disable", "Stop queueing and delivering.")
    _status_command(webhook, "enable", "enable", "Queue and deliver again from where it stopped.")

    @webhook.command("rotate-secret")
    @click.argument("endpoint_id")
    @click.pass_obj
    def rotate(ctx: Any, endpoint_id: str) -> None:
        """New secret, printed once; the previous one also signs for 24 hours."""
        view = _run(ctx, RotateSecret(endpoint_id))
        click.echo(view["secret"])
        click.echo(f"(old secret valid until {view['previous_secret_expires_at']})", err=True)

    @webhook.command("test")
    @click.argument("endpoint_id")
    @click.pass_obj
    def test(ctx: Any, endpoint_id: str) -> None:
        """Send a webhook.test event to this endpoint only."""
        _run(ctx, SendTestEvent(endpoint_id))
        click.echo(f"webhook.test queued for {endpoint_id}")

    @webhook.command("replay")
    @click.argument("endpoint_id")
    @click.option("--event", "event_id", default=None, help="One event id (evt_...).")
    @click.option("--since", default=None, help="ISO 8601 start of a time range.")
    @click.option("--until", default=None, help="ISO 8601 end of the range (default: now).")
    @click.pass_obj
    def replay(
        ctx: Any, endpoint_id: str, event_id: str | None, since: str | None, until: str | None
    ) -> None:
        """Send events again with the same webhook-id."""
        if (event_id is None) == (since is None):
            raise click.UsageError("give either --event or --since")
        result = _run(ctx, ReplayEvents(endpoint_id, event_id, _when(since), _when(until)))
        click.echo(f"{result['replayed']} event(s) queued again for {endpoint_id}")
