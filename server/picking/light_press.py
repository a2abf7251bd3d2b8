"""A press on a pick-to-light module confirms the pick at its location, like counted scans.

The MQTT ingest runs `EVENT_ROUTES["press"]` after its batch committed and before the
message is acked. The route finds the picker whose current task is at the light's
location and feeds `FloorInput(action="confirm", source="light:<id>")` through the floor
machinery's input submission, with the MQTT event id as input id: a redelivered press has
no second effect, and the new screen is pushed to the picker's kiosk.
"""

from __future__ import annotations

import logging

import peewee

from server.db import connection
from server.floor import inputs
from server.floor.flow import FloorInput
from server.floor.sessions import open_session, sessions_of_operator
from server.hardware.routes import DeviceEvent
from server.models import Location, PickBatch, PickTask
from server.models.picking import BatchStatus, TaskStatus
from server.spine import Spine

log = logging.getLogger(__name__)


def pickers_at(location_code: str) -> list[str]:
    """Badges of the pickers whose current (first open) task is at this location."""
    location = Location.get_or_none(Location.code == location_code)
    if location is None:
        return []
    first = (
        PickTask.select(PickTask.batch, peewee.fn.MIN(PickTask.seq).alias("seq"))
        .where(PickTask.status == TaskStatus.OPEN)
        .group_by(PickTask.batch)
    )
    query = (
        PickTask.select(PickBatch.operator)
        .join(PickBatch)
        .switch(PickTask)
        .join(first, on=((first.c.batch_id == PickTask.batch) & (first.c.seq == PickTask.seq)))
        .where(
            PickTask.location == location,
            PickTask.status == TaskStatus.OPEN,
            PickBatch.status == BatchStatus.ASSIGNED,
        )
        .order_by(PickBatch.id)
        .tuples()
    )
    rows: list[tuple[str | None]] = list(query)  # type: ignore[arg-type]
    return [badge for (badge,) in rows if badge]


def picking_session(badge: str) -> str | None:
    """The badge's open session that is in the pick flow (the latest login wins)."""
    for session_id in reversed(sessions_of_operator(badge)):
        session = open_session(session_id)
        if session is not None and session.flow == "pick":
            return session_id
    return None


def _target(event: DeviceEvent) -> tuple[str, str] | None:
    if event.location is None:
        log.warning(
            "press on %s ignored: the light has no location in [[devices]]", event.device_id
        )
        return None
    with connection():
        for badge in pickers_at(event.location):
            session_id = picking_session(badge)
            if session_id is not None:
                return session_id, badge
    log.info("press on %s at %s: nobody is picking there", event.device_id, event.location)
    return None


def press_confirms_pick(spine: Spine, event: DeviceEvent) -> None:
    """EVENT_ROUTES["press"]: confirm the current task at the light's location."""
    found = _target(event)
    if found is None:
        return
    session_id, badge = found
    inp = FloorInput(event.input_id, action="confirm", source=f"light:{event.device_id}")
    inputs.submit(spine, session_id, inp, badge)
