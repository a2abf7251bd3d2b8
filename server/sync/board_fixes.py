"""The sync area's supervisor exception on the board (server/area.py `ExceptionKind`): a
webhook dead-lettered after its last attempt, fixed by replaying it to its endpoint (the
same `webhook-id`, the retry schedule restarted)."""

from __future__ import annotations

from typing import Any

from server.area import ExceptionKind, Fix
from server.errors import NotFound
from server.spine import Unit
from server.sync.deadletter import KIND
from server.sync.replay import ReplayEvents, replay_events


def _replay(unit: Unit, view: dict[str, Any], _value: str | None) -> str:
    data = view.get("data") or {}
    endpoint_id, event_id = data.get("endpoint_id"), data.get("event_id")
    if not endpoint_id or not event_id:
        raise NotFound("this dead letter names no endpoint or event")
    replay_events(ReplayEvents(str(endpoint_id), event_id=str(event_id)), unit)
    return f"{event_id} replayed to {endpoint_id}"


KINDS = (
    ExceptionKind(
        KIND,
        "Webhook dead letter",
        urgency=60,
        fixes=(Fix("replay", "Replay it", _replay),),
    ),
)
