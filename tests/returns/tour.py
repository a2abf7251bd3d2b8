"""Returns' part of the event tour (tests/sync/event_tour.py): the grading trees set, an RMA
of the packed order PK-1 received at RET-01 (a mug restocked, one scrapped, the pen
missing), then an unannounced parcel of the same order opened on the floor and a unit left
in the return zone until the dwell sweep raises its exception."""

from __future__ import annotations

import datetime as dt

from server.catalog.handlers import UpsertLocations
from server.models import utcnow
from server.returns.demo import TREES
from server.returns.dwell import SweepDwell
from server.returns.grading import GradingIn
from server.returns.handlers import RegisterReturn
from server.returns.store import ReplaceGrading
from server.spine import Spine
from tests.examples.setup import floor_input, kiosk, login, operator
from tests.returns.conftest import ZONES
from tests.sync.conftest import TESTER

MUG = "4006381333931"
PEN = "96385074"


def tour_returns(spine: Spine, order: str = "PK-1") -> None:
    """`order` was packed with two mugs and a pen."""
    spine.execute(UpsertLocations(ZONES), TESTER)
    trees = GradingIn.model_validate({"trees": TREES}).model_dump()["trees"]
    spine.execute(ReplaceGrading(trees), TESTER)
    lines = [{"sku": "MUG", "qty": 2, "reason": "damaged"}, {"sku": "PEN", "qty": 1,
             "reason": "not wanted"}]  # fmt: skip
    spine.execute(RegisterReturn({"rma_id": "RMA-T1", "order_external_id": order,
                                  "lines": lines}), TESTER)  # fmt: skip
    device_id = kiosk(spine, f"HH-{operator(spine, 'R-T', 'returns')}")
    clerk = str(spine.execute(login(device_id, "R-T"), TESTER).result["session_id"])
    floor_input(spine, clerk, action="returns")
    floor_input(spine, clerk, scan="RMA-T1")
    floor_input(spine, clerk, scan=MUG)
    screen = floor_input(spine, clerk, action="answer_yes")  # sealed: restock
    floor_input(spine, clerk, scan=screen["target"]["location"])
    floor_input(spine, clerk, scan=MUG)
    for answer in ("no", "yes", "no"):  # opened, damaged, beyond repair: scrap
        screen = floor_input(spine, clerk, action=f"answer_{answer}")
    floor_input(spine, clerk, scan=screen["target"]["location"])
    floor_input(spine, clerk, action="close_missing")
    screen = floor_input(spine, clerk, action="confirm_missing")
    assert screen["name"] == "returns.done", screen
    floor_input(spine, clerk, action="next")
    screen = floor_input(spine, clerk, scan=order)  # another parcel, nobody announced it
    assert screen["name"] == "returns.unannounced", screen
    floor_input(spine, clerk, action="open_return")
    floor_input(spine, clerk, scan=PEN)
    screen = floor_input(spine, clerk, action="answer_yes")
    assert screen["name"] == "returns.put_away", screen  # ... and left there
    spine.execute(SweepDwell(utcnow() + dt.timedelta(days=1)), TESTER)
