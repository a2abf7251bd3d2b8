from __future__ import annotations

import datetime as dt
from typing import Any

from server.models import utcnow
from server.returns.dwell import SweepDwell
from server.returns.grading import DEFAULT_TREE
from server.returns.handlers import CloseReturn, RegisterReturn
from server.returns.store import ReplaceGrading
from server.spine import Spine
from tests.examples import Example
from tests.examples.setup import floor_input, kiosk, login, operator, order
from tests.sync.conftest import TESTER


def _rma(spine: Spine, rma_id: str = "RMA-1", external_id: str = "EX-3") -> dict[str, Any]:
    spine.execute(order(external_id), TESTER)
    return {
        "rma_id": rma_id,
        "order_external_id": external_id,
        "lines": [{"sku": "MUG", "qty": 1, "reason": "damaged"}],
    }


def _registered(spine: Spine) -> str:
    spine.execute(RegisterReturn(_rma(spine)), TESTER)
    return "RMA-1"


def _a_unit_waiting(spine: Spine) -> SweepDwell:
    """A unit received at a returns station and left there: a day later, the sweep."""
    _registered(spine)
    device_id = kiosk(spine, f"HH-{operator(spine, 'R1', 'returns')}")
    session_id = str(spine.execute(login(device_id, "R1"), TESTER).result["session_id"])
    floor_input(spine, session_id, action="returns")
    floor_input(spine, session_id, scan="RMA-1")
    floor_input(spine, session_id, scan="4006381333931")
    return SweepDwell(utcnow() + dt.timedelta(days=1))


EXAMPLES: dict[type, Example] = {
    RegisterReturn: lambda s: RegisterReturn(_rma(s)),
    CloseReturn: lambda s: CloseReturn(_registered(s)),
    ReplaceGrading: lambda s: ReplaceGrading([DEFAULT_TREE]),
    SweepDwell: _a_unit_waiting,
}
