from __future__ import annotations

import datetime as dt

from server.models import WebhookDelivery
from server.spine import Spine
from server.sync import outbox
from server.sync.deadletter import DeadLetter
from server.sync.endpoints import (
    CreateEndpoint,
    DeleteEndpoint,
    RotateSecret,
    SendTestEvent,
    SetEndpointStatus,
    UpdateEndpoint,
)
from server.sync.replay import ReplayEvents
from tests.examples import Example
from tests.examples.setup import endpoint
from tests.sync.conftest import TESTER, EmitEvents, emit, in_db


def _dead_letter(spine: Spine) -> DeadLetter:
    endpoint_id = endpoint(spine)
    emit(spine, ("order.picked", "order:DLX", {}))
    spine.execute(SendTestEvent(endpoint_id), TESTER)
    in_db(outbox.fanout)
    delivery = in_db(lambda: WebhookDelivery.select().order_by(WebhookDelivery.id).first())
    return DeadLetter(delivery.id, 500, "HTTP 500")


EXAMPLES: dict[type, Example] = {
    EmitEvents: lambda s: EmitEvents([("x.y", "order:Q", {})]),
    CreateEndpoint: lambda s: CreateEndpoint("https://oms.example/h", ["order.*"]),
    UpdateEndpoint: lambda s: UpdateEndpoint(endpoint(s), description="d"),
    DeleteEndpoint: lambda s: DeleteEndpoint(endpoint(s)),
    RotateSecret: lambda s: RotateSecret(endpoint(s)),
    SetEndpointStatus: lambda s: SetEndpointStatus(endpoint(s), "pause"),
    SendTestEvent: lambda s: SendTestEvent(endpoint(s)),
    ReplayEvents: lambda s: ReplayEvents(
        endpoint(s), since=dt.datetime(2000, 1, 1), until=dt.datetime(2100, 1, 1)
    ),
    DeadLetter: _dead_letter,
}
