"""The board's and the cold chain's part of the event tour (tests/sync/event_tour.py): a
location's stock held (`inventory.held`, and its `stock_held` exception), acknowledged by a
supervisor on the board (`exception.acknowledged`) and released with the board's fix
(`inventory.released`, `exception.resolved`). The probe's own path, an excursion over MQTT,
is tests/coldchain/test_coldchain_live.py."""

from __future__ import annotations

from server.board.fixes import ApplyFix
from server.coldchain.holds import STOCK_HELD, HoldStock
from server.floor.operators import AddOperator, new_pin_hash
from server.models import SupervisorException
from server.spine import Actor, Spine
from tests.sync.conftest import TESTER, in_db


def tour_board(spine: Spine) -> None:
    spine.execute(AddOperator("SUP-B", "Board Sup", ("supervisor",), new_pin_hash("2580")), TESTER)
    spine.execute(HoldStock("A-01-02-1", "fridge door found open"), TESTER)
    held = in_db(
        lambda: SupervisorException.get(
            SupervisorException.kind == STOCK_HELD, SupervisorException.status == "open"
        )
    )
    sup = Actor("operator", "SUP-B")
    spine.execute(ApplyFix(held.exception_id, "acknowledge", "on my way"), sup)
    spine.execute(ApplyFix(held.exception_id, "release", "probe checked: in range"), sup)
