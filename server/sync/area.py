"""The sync area: webhook endpoints, the outbox relay, dead letters and replays
(docs/webhooks.md)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from server.area import Area
from server.sync import board_fixes, deadletter, endpoints, events, replay, service
from server.sync.operations import OPERATIONS
from server.sync.settings import RelaySettings

if TYPE_CHECKING:
    from flask import Flask

    from server.runtime import Runtime, Service


def _services(app: Flask, runtime: Runtime) -> Sequence[Service]:
    return service.build(runtime)


AREA = Area(
    name="sync",
    handlers=[endpoints.HANDLERS, replay.HANDLERS, deadletter.HANDLERS],
    events=events.EVENTS,
    settings={"relay": (RelaySettings, RelaySettings())},
    services=_services,
    operations=OPERATIONS,
    exception_kinds=board_fixes.KINDS,
)
