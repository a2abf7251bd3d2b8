"""Which kiosk sockets of this process watch the board (joined the `board` room after their
session's role was checked). A socket that disconnected is forgotten by the floor's socket
registry; it is pruned here when counted."""

from __future__ import annotations

import threading

from server.floor import sockets_registry

_lock = threading.Lock()
_sids: set[str] = set()


def add(sid: str) -> None:
    with _lock:
        _sids.add(sid)


def remove(sid: str) -> None:
    with _lock:
        _sids.discard(sid)


def count() -> int:
    with _lock:
        gone = {sid for sid in _sids if sockets_registry.get(sid) is None}
        _sids.difference_update(gone)
        return len(_sids)
