"""floorlink webhook disable | enable: the two endpoint commands the API has no route for.

The other `floorlink webhook` commands (add, list, pause, resume, rotate-secret, test,
replay) are the sync area's operations (server/sync/operations.py), served by
server/cli/operations.py; these two join the same group and run the same way.
"""

from __future__ import annotations

from typing import Any

import click

from server.cli.operations import group
from server.operations import Call
from server.sync.endpoints import SetEndpointStatus
from server.sync.operations import WEBHOOK, status_line

ACTIONS = {
    "disable": "Stop queueing and delivering.",
    "enable": "Queue and deliver again from where it stopped.",
}


def register(cli: click.Group) -> None:
    webhook = group(cli, WEBHOOK)
    for action, help_ in ACTIONS.items():
        webhook.add_command(_status_command(action, help_))


def _status_command(action: str, help_: str) -> click.Command:
    @click.command(action, help=help_)
    @click.argument("endpoint_id")
    @click.pass_obj
    def command(ctx: Any, endpoint_id: str) -> None:
        view = ctx.run(SetEndpointStatus(endpoint_id, action, f"{action}d by an admin"))
        click.echo(status_line(Call({"endpoint_id": endpoint_id}), view))

    return command
