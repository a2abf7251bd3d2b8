"""The cold-chain area: probes (MQTT devices of kind `probe` at a location) watched against
the ranges of their zone, location or products; excursions after a grace time hold the
stock there; stale probes; readings kept as a downsampled time series (docs/supervision.md,
Cold chain)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from server.area import Area
from server.coldchain import board_fixes, events, holds, watch
from server.coldchain.operations import OPERATIONS
from server.coldchain.service import ColdchainWatcher
from server.coldchain.settings import ColdchainSettings

if TYPE_CHECKING:
    from flask import Flask

    from server.runtime import Runtime, Service


def _services(app: Flask, runtime: Runtime) -> Sequence[Service]:
    return [ColdchainWatcher(runtime)]


AREA = Area(
    name="coldchain",
    handlers=[watch.HANDLERS, holds.HANDLERS],
    events=events.EVENTS,
    settings={"coldchain": (ColdchainSettings, ColdchainSettings())},
    services=_services,
    operations=OPERATIONS,
    exception_kinds=board_fixes.KINDS,
)
