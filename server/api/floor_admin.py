"""Admin API of the floor (scope admin): operators, kiosk devices and open sessions."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from flask import Blueprint
from pydantic import BaseModel, ConfigDict, StringConstraints

from server.api.catalog import api_actor
from server.api.routing import operation
from server.api.schemas import Code, Text
from server.floor import kiosks, operators
from server.floor.sessions import OPEN, EndSession
from server.models import FloorOperator, FloorSession, isoformat
from server.runtime import runtime

bp = Blueprint("floor_admin", __name__, url_prefix="/api/v1")
TAG = "floor"
Role = Literal["picker", "packer", "returns", "dispatcher", "supervisor", "admin"]
Pin = Annotated[str, StringConstraints(min_length=4, max_length=12, pattern=r"^[0-9]+$")]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OperatorIn(_Body):
    badge: Code
    name: Text
    roles: list[Role]
    pin: Pin


class OperatorPatch(_Body):
    name: Text | None = None
    roles: list[Role] | None = None
    active: bool | None = None


class PinIn(_Body):
    pin: Pin


class OperatorOut(BaseModel):
    badge: str
    name: str
    roles: list[str]
    active: bool
    locked: bool
    created_at: str
    updated_at: str


class OperatorList(BaseModel):
    data: list[OperatorOut]


class KioskIn(_Body):
    device_id: Code
    kind: Literal["handheld", "station"]
    station: Code | None = None


class KioskOut(BaseModel):
    id: str
    kind: str
    station: str | None
    availability: Literal["online", "offline"]
    last_seen: str | None
    state: dict[str, Any]


class KioskCreated(KioskOut):
    enrollment_code: str


class KioskList(BaseModel):
    data: list[KioskOut]


class FloorSessionOut(BaseModel):
    session_id: str
    badge: str
    device_id: str
    station: str | None
    flow: str | None
    started_at: str
    last_seen: str


class FloorSessionList(BaseModel):
    data: list[FloorSessionOut]


def _run(cmd: Any) -> Any:
    return runtime().spine.execute(cmd, api_actor()).result


@operation(bp, "/operators", "GET", access="admin", tag=TAG, summary="Floor operators",
           responses={200: ("Every operator", OperatorList)})  # fmt: skip
def list_operators() -> Any:
    rows = FloorOperator.select().order_by(FloorOperator.badge)
    return {"data": [operators.operator_json(r) for r in rows]}


@operation(bp, "/operators", "POST", access="admin", tag=TAG, summary="Add an operator",
           body=OperatorIn, responses={201: ("The operator", OperatorOut)})  # fmt: skip
def add_operator(body: OperatorIn) -> Any:
    pin_hash = operators.new_pin_hash(body.pin)
    cmd = operators.AddOperator(body.badge, body.name, tuple(body.roles), pin_hash)
    return _run(cmd), 201


@operation(bp, "/operators/<badge>", "PATCH", access="admin", tag=TAG,
           summary="Change name, roles or active (a change of roles or a disable logs them out)",
           body=OperatorPatch, responses={200: ("The operator", OperatorOut)})  # fmt: skip
def change_operator(badge: str, body: OperatorPatch) -> Any:
    roles = tuple(body.roles) if body.roles is not None else None
    return _run(operators.ChangeOperator(badge, body.name, roles, body.active))


@operation(bp, "/operators/<badge>/pin", "POST", access="admin", tag=TAG,
           summary="Set a new PIN (also unlocks the badge)", body=PinIn,
           responses={200: ("The operator", OperatorOut)})  # fmt: skip
def reset_pin(badge: str, body: PinIn) -> Any:
    operators.find(badge)
    return _run(operators.ResetPin(badge, operators.new_pin_hash(body.pin)))


@operation(bp, "/operators/<badge>/unlock", "POST", access="admin", tag=TAG,
           summary="Unlock a badge locked after wrong PINs",
           responses={200: ("The operator", OperatorOut)})  # fmt: skip
def unlock_operator(badge: str) -> Any:
    operators.find(badge)
    _run(operators.UnlockBadge(badge))
    return operators.operator_json(operators.find(badge))


@operation(bp, "/kiosks", "GET", access="admin", tag=TAG, summary="Kiosk devices",
           responses={200: ("Every kiosk", KioskList)})  # fmt: skip
def list_kiosk_devices() -> Any:
    return {"data": kiosks.list_kiosks()}


@operation(bp, "/kiosks", "POST", access="admin", tag=TAG,
           summary="Create a kiosk (or re-issue a code for a revoked one): a one-time code",
           body=KioskIn, responses={201: ("The kiosk and its enrollment code", KioskCreated)})  # fmt: skip
def add_kiosk(body: KioskIn) -> Any:
    ttl = runtime().settings.floor.enrollment_ttl_s
    return _run(kiosks.AddKiosk(body.device_id, body.kind, body.station, ttl)), 201


@operation(bp, "/kiosks/<device_id>/revoke", "POST", access="admin", tag=TAG,
           summary="Revoke a kiosk: its token stops working, its sessions end",
           responses={200: ("The kiosk", KioskOut)})  # fmt: skip
def revoke_kiosk(device_id: str) -> Any:
    kiosks.find(device_id)
    return _run(kiosks.RevokeKiosk(device_id))


@operation(bp, "/floor/sessions", "GET", access="admin", tag=TAG, summary="Open floor sessions",
           responses={200: ("Open sessions", FloorSessionList)})  # fmt: skip
def list_sessions() -> Any:
    rows = FloorSession.select().where(OPEN).order_by(FloorSession.started_at)
    return {"data": [_session(r) for r in rows]}


@operation(bp, "/floor/sessions/<session_id>", "DELETE", access="admin", tag=TAG,
           summary="End a floor session (the kiosk is logged out at once)",
           responses={200: ("Ended", None)})  # fmt: skip
def end_floor_session(session_id: str) -> Any:
    return _run(EndSession(session_id, "supervisor"))


def _session(row: FloorSession) -> dict[str, Any]:
    return {
        "session_id": row.session_id,
        "badge": row.badge,
        "device_id": row.device_id,
        "station": row.station,
        "flow": row.flow,
        "started_at": isoformat(row.started_at),
        "last_seen": isoformat(row.last_seen),
    }
