"""The returns area: RMAs registered by the OMS, and the return zone on the floor: the
parcel found, each unit received, graded, put where its disposition says, the OMS told
(docs/returns.md)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from server.area import Area
from server.returns import board_fixes, demo, dwell, events, handlers, store
from server.returns.flow import ReturnsFlow
from server.returns.operations import OPERATIONS
from server.returns.settings import ReturnsSettings

if TYPE_CHECKING:
    from flask import Flask

    from server.runtime import Runtime, Service


def _flows(runtime: Runtime) -> list[ReturnsFlow]:
    return [ReturnsFlow()]


def _services(app: Flask, runtime: Runtime) -> Sequence[Service]:
    return [dwell.service(runtime)]


AREA = Area(
    name="returns",
    handlers=[handlers.HANDLERS, store.HANDLERS, dwell.HANDLERS],
    events=events.EVENTS,
    settings={"returns": (ReturnsSettings, ReturnsSettings())},
    flows=_flows,
    services=_services,
    operations=OPERATIONS,
    seed=demo.seed,
    exception_kinds=board_fixes.KINDS,
)
