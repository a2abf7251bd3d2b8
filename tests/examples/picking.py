from __future__ import annotations

import dataclasses

from server.models import CountTask
from server.orders.handlers import CancelOrder
from server.picking.handlers import AssignBatch, CompleteCount
from server.picking.put_backs import CompletePutBack
from server.picking.settings import PickingSettings
from server.picking.waves import HoldWave, ReleaseHeldWave, ReleaseWave
from server.spine import Spine
from tests.examples import Example
from tests.examples.setup import batch, floor_input, operator, order, picking
from tests.sync.conftest import TESTER, in_db


def _put_back_waiting(spine: Spine) -> str:
    """Order EX-P picked into tote T1, dropped at the pack zone, then cancelled: the tote."""
    session_id = picking(spine)
    for code in ("T1", "LA-01-01-1", "4006381333931", "T1", "PACK-01"):
        floor_input(spine, session_id, scan=code)
    spine.execute(CancelOrder("EX-P", "customer"), TESTER)
    return "T1"


def _waiting_for_release(spine: Spine) -> str:
    """Order EX-W accepted while picking.release is manual: it waits for a wave."""
    assert spine.env.settings is not None
    manual = spine.env.settings.model_copy(update={"picking": PickingSettings(release="manual")})
    env, spine.env = spine.env, dataclasses.replace(spine.env, settings=manual)
    try:
        spine.execute(order("EX-W"), TESTER)
    finally:
        spine.env = env
    return "EX-W"


def _released_wave(spine: Spine) -> str:
    """Order EX-W released in a wave: the wave."""
    _waiting_for_release(spine)
    return str(spine.execute(ReleaseWave(limit=10), TESTER).result["wave"])


def _held_wave(spine: Spine) -> str:
    wave = _released_wave(spine)
    spine.execute(HoldWave(wave, "stock check"), TESTER)
    return wave


def _count_task(spine: Spine) -> int:
    """A count task, raised by a picker who found the Mug location empty."""
    session_id = picking(spine)
    floor_input(spine, session_id, scan="T1")
    floor_input(spine, session_id, scan="LA-01-01-1")
    floor_input(spine, session_id, action="short_not_found")
    return int(in_db(lambda: CountTask.get(CountTask.status == "open").id))


EXAMPLES: dict[type, Example] = {
    AssignBatch: lambda s: AssignBatch(batch(s), operator(s, "P2")),
    CompleteCount: lambda s: CompleteCount(_count_task(s), counted=3),
    CompletePutBack: lambda s: CompletePutBack(_put_back_waiting(s), "A-01-01-1"),
    ReleaseWave: lambda s: (_waiting_for_release(s), ReleaseWave(limit=10))[1],
    HoldWave: lambda s: HoldWave(_released_wave(s), "stock check"),
    ReleaseHeldWave: lambda s: ReleaseHeldWave(_held_wave(s)),
}
