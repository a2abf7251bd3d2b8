"""A tour of Floorlink that records (nearly) every event type the areas declare, through the
real commands on the site of tests/fixtures/site.py: tests/sync/test_event_catalogue.py
checks the example bodies of docs/webhooks.md against what it emits.

Not toured: `light.commanded` (needs pick-to-light devices over MQTT; tests/picking has it).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from devices import mqtt_topics
from devices.payloads import PayloadError, decode_message, encode, new_session_id, status_payload
from server.floor.kiosks import RevokeKiosk
from server.floor.operators import ChangeOperator, ResetPin, UnlockBadge, new_pin_hash
from server.floor.sessions import EndSession
from server.hardware.batch import fold
from server.hardware.handlers import IngestDeviceBatch
from server.inventory.handlers import AdjustStock
from server.models import CountTask, PickBatch, SupervisorException, utcnow
from server.orders.handlers import AcceptOrder, CancelOrder
from server.orders.holds import HoldOrder, ReleaseOrder
from server.picking.handlers import AssignBatch, CompleteCount
from server.picking.put_backs import CompletePutBack
from server.returns.handlers import RegisterReturn
from server.spine import Spine
from server.supervision.exceptions import ResolveException
from server.sync.endpoints import (
    CreateEndpoint,
    DeleteEndpoint,
    RotateSecret,
    SendTestEvent,
    SetEndpointStatus,
    UpdateEndpoint,
)
from server.sync.replay import ReplayEvents
from server.totes.handlers import UpsertTotes
from tests.board.tour import tour_board
from tests.dispatch.tour import tour_dispatch
from tests.examples.floor import locked
from tests.examples.setup import floor_input, kiosk, login, operator, order
from tests.packing.tour import tour_packing
from tests.picking.live import Walker
from tests.returns.tour import tour_returns
from tests.sync.conftest import TESTER, in_db

MUG_SHELF = "pick.scan_product MUG"  # at the Mug's shelf, its product to scan
TEA_SHELF = "pick.scan_product TEA"
PEN_SHELF = "pick.scan_location PEN"  # on the way to the Pen's shelf


def _order(external_id: str, **qty: int) -> AcceptOrder:
    cmd = order(external_id)
    lines = [{"line_id": str(i), "sku": sku, "qty": n} for i, (sku, n) in enumerate(qty.items(), 1)]
    return AcceptOrder(cmd.order | {"lines": lines})


def _walk(
    spine: Spine, session_id: str, screen: dict[str, Any], walker: Walker, until: str = ""
) -> dict[str, Any]:
    """Scan what a careful picker scans until the screen asks for nothing more (or is
    `until`, a screen name with its target's SKU if any: "pick.scan_product MUG")."""
    for _ in range(40):
        if until and f"{screen['name']} {screen['target'].get('sku', '')}".strip() == until:
            return screen
        scan = walker.next_scan(screen)
        if scan is None:
            assert not until, f"no {until} screen on the walk: {screen}"
            return screen
        screen = floor_input(spine, session_id, scan=scan)
    raise AssertionError(f"the walk did not end: {screen}")


def _login(spine: Spine, badge: str) -> str:
    device_id = kiosk(spine, f"HH-{operator(spine, badge)}")
    result = spine.execute(login(device_id, badge), TESTER).result
    assert result["outcome"] == "ok", result
    return str(result["session_id"])


def _endpoints(spine: Spine) -> None:
    made = spine.execute(CreateEndpoint("https://oms.example/hooks", ["order.*"]), TESTER)
    endpoint_id = made.result["id"]
    spine.execute(UpdateEndpoint(endpoint_id, event_types=["*"]), TESTER)
    for action in ("pause", "resume", "disable", "enable"):
        spine.execute(SetEndpointStatus(endpoint_id, action, f"{action} for the tour"), TESTER)
    spine.execute(RotateSecret(endpoint_id), TESTER)
    spine.execute(SendTestEvent(endpoint_id), TESTER)
    since, until = dt.datetime(2000, 1, 1), dt.datetime(2100, 1, 1)
    spine.execute(ReplayEvents(endpoint_id, since=since, until=until), TESTER)
    spine.execute(DeleteEndpoint(endpoint_id), TESTER)


def _operators(spine: Spine) -> None:
    badge = operator(spine, "B-7")
    spine.execute(ChangeOperator(badge, roles=("picker", "packer")), TESTER)
    spine.execute(ResetPin(badge, new_pin_hash("9031")), TESTER)
    spine.execute(UnlockBadge(locked(spine, "B-8")), TESTER)


def _devices(spine: Spine) -> None:
    """A scale heard for the first time (online), then offline, then online again."""
    session = new_session_id()
    for state in ("online", "offline", "online"):
        topic = mqtt_topics.availability("site1", "scale-1")
        message = decode_message(topic, encode(status_payload(state, session, bridge="edge-1")))
        assert not isinstance(message, PayloadError), message
        spine.execute(IngestDeviceBatch(fold([message], utcnow())), TESTER)


def _picked_cancelled_put_back(spine: Spine, session_id: str) -> None:
    """WEB-1 picked into a tote and dropped, cancelled at the drop, put back."""
    spine.execute(_order("WEB-1", MUG=1), TESTER)
    walker = Walker()
    _walk(spine, session_id, floor_input(spine, session_id, action="pick"), walker)
    spine.execute(CancelOrder("WEB-1", "customer"), TESTER)
    spine.execute(CompletePutBack(walker.totes["WEB-1"], "RET-01"), TESTER)


def _short_picked(spine: Spine, session_id: str) -> None:
    """WEB-2 picked short (the Mug shelf is empty), then the shelf counted."""
    spine.execute(_order("WEB-2", MUG=2, PEN=1), TESTER)
    walker = Walker(free=["T2"])
    _walk(spine, session_id, floor_input(spine, session_id, action="next"), walker, MUG_SHELF)
    _walk(spine, session_id, floor_input(spine, session_id, action="short_not_found"), walker)
    task = in_db(lambda: CountTask.get(CountTask.status == "open").id)
    spine.execute(CompleteCount(task, counted=8), TESTER)


def _lot_substituted(spine: Spine, session_id: str) -> None:
    """WEB-6: the picker takes another lot of the same expiry from the shelf (FEFO holds)."""
    spine.execute(_order("WEB-6", TEA=2), TESTER)
    walker = Walker(free=["T3"])
    screen = floor_input(spine, session_id, action="next")
    screen = _walk(spine, session_id, screen, walker, TEA_SHELF)
    other = "L1B" if screen["target"]["lot"] == "L1" else "L1"
    for _ in range(2):
        screen = floor_input(spine, session_id, scan=f"(01)05901234123457(10){other}")
    _walk(spine, session_id, screen, walker)


def _skipped_and_reassigned(spine: Spine, session_id: str) -> None:
    """WEB-4: a task skipped, the batch given to another picker, then taken back."""
    spine.execute(_order("WEB-4", PEN=1, MUG=1), TESTER)
    walker = Walker(free=["T4"])
    _walk(spine, session_id, floor_input(spine, session_id, action="next"), walker, PEN_SHELF)
    floor_input(spine, session_id, action="skip")
    batch_id = in_db(lambda: PickBatch.get(PickBatch.status == "assigned").batch_id)
    spine.execute(AssignBatch(batch_id, None), TESTER)
    spine.execute(AssignBatch(batch_id, operator(spine, "P2")), TESTER)


def _picked(spine: Spine, session_id: str) -> Any:
    """Picking one order at a time into the next free tote, dropped at PACK-01."""
    free = ["T5", "T6", "T7", "T8"]
    spine.execute(UpsertTotes(free), TESTER)

    def pick(external_id: str, **qty: int) -> str:
        spine.execute(_order(external_id, **qty), TESTER)
        walker = Walker(free=[free.pop(0)])
        _walk(spine, session_id, floor_input(spine, session_id, action="next"), walker)
        return walker.totes[external_id]

    return pick


def tour(spine: Spine) -> None:
    """Every step through commands, as the API, the CLI and the floor run them."""
    spine.execute(UpsertTotes(["T1", "T2", "T3", "T4"]), TESTER)
    found = {"sku": "PEN", "location": "A-01-02-1", "delta": 5, "reason": "found"}
    lot = {"sku": "TEA", "location": "A-01-02-1", "lot": "L1B", "expiry": dt.date(2030, 1, 1)}
    spine.execute(AdjustStock([found, lot | {"delta": 5, "reason": "received"}]), TESTER)
    _endpoints(spine)
    _operators(spine)
    _devices(spine)
    spine.execute(_order("WEB-5", PEN=1), TESTER)
    spine.execute(HoldOrder("WEB-5", "address check"), TESTER)
    spine.execute(ReleaseOrder("WEB-5"), TESTER)
    spine.execute(CancelOrder("WEB-5", "customer"), TESTER)
    session_id = _login(spine, "P1")
    _picked_cancelled_put_back(spine, session_id)
    _short_picked(spine, session_id)
    rma = {"rma_id": "RMA-9", "order_external_id": "WEB-2", "lines": []}
    rma["lines"] = [{"sku": "PEN", "qty": 1, "reason": "damaged"}]
    spine.execute(RegisterReturn(rma), TESTER)
    opened = in_db(lambda: SupervisorException.get(SupervisorException.status == "open"))
    spine.execute(ResolveException(opened.exception_id, "recounted"), TESTER)
    _lot_substituted(spine, session_id)
    _skipped_and_reassigned(spine, session_id)
    tour_packing(spine, _picked(spine, session_id))
    tour_board(spine)
    tour_returns(spine)
    tour_dispatch(spine)
    spine.execute(EndSession(session_id, "logout"), TESTER)
    other = _login(spine, "P3")
    assert other
    spine.execute(RevokeKiosk("HH-P3"), TESTER)
    spine.execute(_order("WEB-3", MUG=999), TESTER)  # backordered: what is left is reserved
