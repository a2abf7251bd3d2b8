"""Pushing screens to kiosks over Socket.IO, always after commit.

Rooms: `session:<id>` (every socket of a session) and `device:<id>` (a kiosk before login,
e.g. a station showing the PIN screen after a badge scan on its serial scanner).

A process that serves no sockets (the CLI: Socket.IO never attached to an app) has nobody
to push to: every push is a no-op there. The running server picks the change up from the
event log and pushes it (server/floor/service.py).
"""

from __future__ import annotations

import logging
from typing import Any

from socketio import PubSubManager

from server.floor import screens, sockets_registry
from server.floor.events import KioskRevoked, SessionEnded
from server.realtime import socketio

log = logging.getLogger(__name__)
NAMESPACE = "/kiosk"

END_MESSAGES = {
    "logout": ("You are logged out", "ok"),
    "replaced": ("Someone else logged in on this kiosk", "warn"),
    "idle": ("Logged out after being idle", "warn"),
    "roles_changed": ("Your roles changed: log in again", "warn"),
    "disabled": ("Your badge was disabled: ask a supervisor", "error"),
    "supervisor": ("A supervisor ended your session", "warn"),
    "device_revoked": ("This kiosk was revoked", "error"),
}


def session_room(session_id: str) -> str:
    return f"session:{session_id}"


def device_room(device_id: str) -> str:
    return f"device:{device_id}"


def _emit(event: str, payload: dict[str, Any], to: str, skip: str | None = None) -> None:
    server = socketio.server
    if server is None:  # no Socket.IO server in this process (the CLI)
        return
    if _nobody_else(server.manager, to, skip):
        return
    socketio.emit(event, payload, to=to, namespace=NAMESPACE, skip_sid=skip)


def _nobody_else(manager: Any, room: str, skip: str | None) -> bool:
    """True when the room has no socket but `skip` (or none at all), so the push would reach
    nobody: the packet is not built (python-socketio encodes it before it looks at the room:
    a tenth of an input's CPU, for the usual session of one socket, the sender, or of none,
    a handheld on its HTTP fallback). Only one process's rooms can be known: with a message
    queue (several processes) the push always goes out."""
    if isinstance(manager, PubSubManager):
        return False
    return all(sid == skip for sid, _ in manager.get_participants(NAMESPACE, room))


def screen_to_session(session_id: str, screen: dict[str, Any], skip: str | None = None) -> None:
    """The session's new screen to its sockets; `skip`: a socket that has it already (the
    one whose input it answers, in its ack)."""
    _emit("screen", {"screen": screen}, session_room(session_id), skip)


def screen_to_device(device_id: str, screen: dict[str, Any]) -> None:
    _emit("screen", {"screen": screen}, device_room(device_id))


def ended_screen(reason: str) -> dict[str, Any]:
    message, level = END_MESSAGES.get(reason, ("Your session ended", "warn"))
    return screens.logged_out(message, level).to_json()  # type: ignore[arg-type]


def end_on_sockets(session_id: str, reason: str) -> None:
    """Tell a session's sockets it ended, then disconnect them (they reconnect as a device)."""
    payload = {"screen": ended_screen(reason), "session_ended": reason}
    for sid in sockets_registry.sids_of_session(session_id):
        _emit("screen", payload, sid)
        _disconnect(sid)


def revoke_on_sockets(device_id: str) -> None:
    for sid in sockets_registry.sids_of_device(device_id):
        _emit("revoked", {"device_id": device_id}, sid)
        _disconnect(sid)


def _disconnect(sid: str) -> None:
    sockets_registry.remove(sid)
    if socketio.server is None:
        return
    try:
        socketio.server.disconnect(sid, namespace=NAMESPACE)
    except Exception:  # the socket may already be gone
        log.debug("disconnect of %s failed", sid, exc_info=True)


def on_committed(events: list[dict[str, Any]]) -> None:
    """After-commit listener: ended sessions and revoked kiosks take effect on open sockets."""
    for event in events:
        if event["type"] == SessionEnded.type:
            end_on_sockets(event["data"]["session_id"], event["data"]["reason"])
        elif event["type"] == KioskRevoked.type:
            revoke_on_sockets(event["subject"].removeprefix("device:"))
