"""Which kiosk sockets are open in this process, and for which device and session."""

from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class SocketAuth:
    sid: str
    device_id: str
    session_id: str | None
    badge: str | None = None  # the session's operator (a session never changes operator)


_lock = threading.Lock()
_sockets: dict[str, SocketAuth] = {}


def add(auth: SocketAuth) -> None:
    with _lock:
        _sockets[auth.sid] = auth


def remove(sid: str) -> SocketAuth | None:
    with _lock:
        return _sockets.pop(sid, None)


def get(sid: str) -> SocketAuth | None:
    with _lock:
        return _sockets.get(sid)


def device_connected(device_id: str) -> bool:
    with _lock:
        return any(a.device_id == device_id for a in _sockets.values())


def sids_of_device(device_id: str) -> list[str]:
    with _lock:
        return [a.sid for a in _sockets.values() if a.device_id == device_id]


def sids_of_session(session_id: str) -> list[str]:
    with _lock:
        return [a.sid for a in _sockets.values() if a.session_id == session_id]


def open_session_ids() -> set[str]:
    with _lock:
        return {a.session_id for a in _sockets.values() if a.session_id}
