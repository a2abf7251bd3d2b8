"""The scale of a pack station feeds the packer's session: each reading the bridge sends
(a `weight` event: a stable weight that changed) goes through the floor's one door as the
input `scale`, de-duplicated on the event's id, so the weigh step sees it in order."""

from __future__ import annotations

import logging
import time

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


# At most one live refresh of a station's screen per this many seconds (a scale streams
# its state at ~10 Hz while the pan settles; the stable weight is an event and always
# goes through `weight_to_station`).
LIVE_EVERY_S = 0.25
_last_live: dict[str, float] = {}
LIVE_STEPS = ("weigh", "mismatch")


def scale_live(spine: Spine, device_ids: list[str]) -> None:
    """Device route STATES: the weigh screen at the station of a scale whose state changed
    shows the live reading (re-rendered from the registry and pushed), throttled."""
    settings = spine.env.settings
    if settings is None:
        return
    at = {d.id: d.station for d in settings.section("devices") if d.kind == "scale" and d.station}
    now = time.monotonic()
    stations = {at[d] for d in device_ids if d in at}
    due = [s for s in stations if now - _last_live.get(s, 0.0) >= LIVE_EVERY_S]
    if not due:
        return
    sessions = []
    with connection():
        for station in due:
            session_id = session_at_station(station)
            session = open_session(session_id) if session_id else None
            step = ((session.state or {}).get("pack") or {}).get("step") if session else None
            if session is not None and session.flow == "pack" and step in LIVE_STEPS:
                sessions.append(session.session_id)
                _last_live[station] = now
    inputs.refresh(spine, sessions)
