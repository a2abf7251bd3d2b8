"""The scale of a pack station feeds the packer's session: each reading the bridge sends
(a `weight` event: a stable weight that changed) goes through the floor's one door as the
input `scale`, de-duplicated on the event's id, so the weigh step sees it in order."""

from __future__ import annotations

import logging

from server.db import connection
from server.floor import inputs
from server.floor.flow import FloorInput
from server.floor.sessions import open_session, session_at_station
from server.hardware.routes import DeviceEvent
from server.spine import Spine

log = logging.getLogger(__name__)


def weight_to_station(spine: Spine, event: DeviceEvent) -> None:
    """Device route "weight": the reading goes to the pack session open at the scale's
    station (a station nobody packs at only keeps the reading in the registry)."""
    if event.station is None:
        return
    with connection():
        session_id = session_at_station(event.station)
        session = open_session(session_id) if session_id else None
    if session is None or session.flow != "pack":
        return
    value = {"grams": event.data.get("grams"), "stable": bool(event.data.get("stable"))}
    inp = FloorInput(event.input_id, action="scale", value=value, source=event.source)
    inputs.submit(spine, session.session_id, inp, session.badge)
