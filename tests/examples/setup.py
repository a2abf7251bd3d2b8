"""Setups the examples share, each built through the real commands of its area."""

from __future__ import annotations

import datetime as dt
from typing import Any

from server.api.schemas import OrderIn
from server.floor.flow import FloorInput
from server.floor.inputs import ApplyInput
from server.floor.kiosks import AddKiosk, EnrollKiosk
from server.floor.operators import AddOperator, new_pin_hash
from server.floor.sessions import Login
from server.ids import new_id
from server.models import PickBatch
from server.orders.handlers import AcceptOrder
from server.orders.holds import HoldOrder
from server.spine import Spine
from server.sync.endpoints import CreateEndpoint
from server.totes.handlers import UpsertTotes
from tests.sync.conftest import TESTER, in_db

PIN = "4821"
LOCKOUT_ATTEMPTS, LOCKOUT_WINDOW_S = 3, 300.0


def order(external_id: str) -> AcceptOrder:
    body = {
        "external_id": external_id,
        "channel": "web",
        "priority": 3,
        "ship_by": "2030-01-01T12:00:00Z",
        "lines": [{"line_id": "1", "sku": "MUG", "qty": 1}],
    }
    data = OrderIn.model_validate(body, strict=False).model_dump()
    data["ship_by"] = data["ship_by"].astimezone(dt.UTC).replace(tzinfo=None)
    return AcceptOrder(data)


def endpoint(spine: Spine) -> str:
    result = spine.execute(CreateEndpoint("http://127.0.0.1:9/x", ["*"]), TESTER).result
    return str(result["id"])


def operator(spine: Spine, badge: str, *roles: str) -> str:
    pin_hash = new_pin_hash(PIN)
    spine.execute(AddOperator(badge, f"Operator {badge}", roles or ("picker",), pin_hash), TESTER)
    return badge


def added_kiosk(spine: Spine, device_id: str) -> str:
    """A handheld created by a supervisor: its one-time enrollment code."""
    result = spine.execute(AddKiosk(device_id, "handheld", None, 900.0), TESTER).result
    return str(result["enrollment_code"])


def kiosk(spine: Spine, device_id: str) -> str:
    spine.execute(EnrollKiosk(added_kiosk(spine, device_id)), TESTER)
    return device_id


def login(device_id: str, badge: str, pin_ok: bool = True) -> Login:
    return Login(device_id, None, badge, pin_ok, LOCKOUT_ATTEMPTS, LOCKOUT_WINDOW_S)


def session(spine: Spine, badge: str = "P1") -> str:
    """A picker logged in on an enrolled handheld `HH-<badge>`: the session id."""
    device_id = kiosk(spine, f"HH-{operator(spine, badge)}")
    result = spine.execute(login(device_id, badge), TESTER).result
    assert result["outcome"] == "ok", result
    return str(result["session_id"])


def floor_input(spine: Spine, session_id: str, **fields: Any) -> dict[str, Any]:
    screen: dict[str, Any] = spine.execute(
        ApplyInput(session_id, FloorInput(new_id("in"), **fields)), TESTER
    ).result
    feedback = screen.get("feedback") or {}
    assert feedback.get("level") != "error", screen
    return screen


def ready_to_pick(spine: Spine, badge: str = "P1") -> str:
    """Totes, an accepted order EX-P (one Mug) and a picker logged in: the session."""
    spine.execute(UpsertTotes(["T1", "T2"]), TESTER)
    spine.execute(order("EX-P"), TESTER)
    return session(spine, badge)


def picking(spine: Spine, badge: str = "P1") -> str:
    """A picker who chose Picking and claimed a batch of order EX-P: the session."""
    session_id = ready_to_pick(spine, badge)
    floor_input(spine, session_id, action="pick")
    return session_id


def batch(spine: Spine) -> str:
    picking(spine)
    return str(in_db(lambda: PickBatch.get().batch_id))


def held(spine: Spine, external_id: str) -> str:
    spine.execute(order(external_id), TESTER)
    spine.execute(HoldOrder(external_id, "address check"), TESTER)
    return external_id
