"""The cold chain's commands for tests/sync/test_every_change_has_its_event.py: a probe never
heard goes stale (`exception.raised`), a location's stock held, released and moved to
quarantine; pruning old readings is bookkeeping only."""

from __future__ import annotations

import datetime as dt

from server.catalog.handlers import UpsertLocations
from server.coldchain.holds import HoldStock, QuarantineStock, ReleaseStock
from server.coldchain.watch import CheckProbes, Look, PruneReadings
from server.models import utcnow
from server.spine import Spine
from tests.examples import Example
from tests.examples.floor import BOOKKEEPING_ONLY
from tests.sync.conftest import TESTER

BOOKKEEPING_ONLY.add(PruneReadings)  # readings are bookkeeping: no event


def _silent(_spine: Spine) -> CheckProbes:
    since = utcnow() - dt.timedelta(hours=1)
    return CheckProbes((Look("probe-X", "A-01-01-1", None, None),), utcnow(), since)


def _held(spine: Spine) -> str:
    spine.execute(HoldStock("A-01-01-1", "door open"), TESTER)
    return "A-01-01-1"


def _quarantined(spine: Spine) -> QuarantineStock:
    quarantine = {"code": "QUAR-9", "zone": "Q", "kind": "quarantine", "walk_sequence": 999}
    spine.execute(UpsertLocations([quarantine]), TESTER)
    return QuarantineStock(_held(spine), "QUAR-9", "excursion")


EXAMPLES: dict[type, Example] = {
    CheckProbes: _silent,
    HoldStock: lambda s: HoldStock("A-01-01-1", "door open"),
    ReleaseStock: lambda s: ReleaseStock(_held(s), "checked"),
    QuarantineStock: _quarantined,
    PruneReadings: lambda s: PruneReadings(utcnow()),
}
