"""Dispatch's supervisor exceptions on the board (server/area.py `ExceptionKind`): a package
that must not leave refused at the dock, a cancelled order's packages still on a trailer
(fixed by taking them off the manifest once they are off the trailer), and a dock door left
open with nothing loading (resolved by itself when the door closes)."""

from __future__ import annotations

from typing import Any

from server.area import ExceptionKind, Fix
from server.dispatch import hot, manifests, store
from server.dispatch.doors import DOOR_OPEN
from server.dispatch.endings import CANCELLED_LOADED
from server.errors import Conflict
from server.orders import board_fixes as orders
from server.spine import Unit


def _still_loaded(view: dict[str, Any]) -> list[str]:
    data = view.get("data") or {}
    ssccs = [str(s) for s in data.get("ssccs") or []]
    found = [hot.package_facts(sscc) for sscc in ssccs]
    return [
        f.sscc for f, _ in (x for x in found if x is not None) if f.manifest == data.get("manifest")
    ]


def _unload(unit: Unit, view: dict[str, Any], _value: str | None) -> str:
    """The packages are off the trailer: take them off the manifest too."""
    data = view.get("data") or {}
    m = store.manifest(str(data.get("manifest")), lock="update")
    if m.status != "open":
        raise Conflict(f"manifest {m.manifest_id} is {m.status}")
    done = []
    for sscc in _still_loaded(view):
        found = hot.package_facts(sscc, lock=True)
        if found is None:
            continue
        facts, package = found
        manifests.unload(m, facts, package, unit)
        done.append(sscc)
    return f"unloaded {', '.join(done) or 'nothing (already off)'} from {m.manifest_id}"


KINDS = (
    ExceptionKind(DOOR_OPEN, "Dock door open, nothing loading", urgency=70),
    ExceptionKind(
        CANCELLED_LOADED,
        "Cancelled order on a trailer",
        urgency=90,
        fixes=(
            Fix(
                "unload",
                "They are off the trailer: unload them",
                _unload,
                offered=lambda v: bool(_still_loaded(v)),
            ),  # fmt: skip
        ),
    ),
    ExceptionKind(
        manifests.REFUSED_LOAD,
        "Package refused at the dock",
        urgency=60,
        fixes=(orders.RELEASE,),
    ),
)
