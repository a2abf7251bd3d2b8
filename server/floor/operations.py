"""The floor's admin operations (scope admin), served by the API and the CLI: operators
(`floorlink operator ...`), kiosk devices (`floorlink device ...`) and open sessions
(docs/kiosk.md)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, StringConstraints

from server.floor import kiosks, operators
from server.floor.sessions import OPEN, EndSession
from server.models import FloorOperator, FloorSession, isoformat
from server.operations import Call, Cli, CliGroup, Code, Operation, Opt, Printed, Strict, Text

TAG = "floor"
OPERATOR = CliGroup("operator", "Floor operators: badge, PIN (argon2id) and roles.")
DEVICE = CliGroup("device", "Kiosk devices: enrollment codes and revocation.")
Role = Literal["picker", "packer", "returns", "dispatcher", "supervisor", "admin"]
Pin = Annotated[str, StringConstraints(min_length=4, max_length=12, pattern=r"^[0-9]+$")]
PIN_HELP = {"pin": Opt(help="4 to 12 digits")}


class _Body(Strict):
    """Bodies of the floor's operations: strict, as every request body (no `"active": 0`)."""


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


def _operators(call: Call) -> dict[str, Any]:
    rows = FloorOperator.select().order_by(FloorOperator.badge)
    return {"data": [operators.operator_json(r) for r in rows]}


def _operator_table(call: Call, result: dict[str, Any]) -> str:
    lines = []
    for op in result["data"]:
        state = ("active" if op["active"] else "disabled") + (", locked" if op["locked"] else "")
        lines.append(f"{op['badge']}\t{op['name']}\t{','.join(op['roles'])}\t{state}")
    return "\n".join(lines)


def _add_operator(call: Call) -> operators.AddOperator:
    body: OperatorIn = call.body
    pin_hash = operators.new_pin_hash(body.pin)  # slow: before the command's transaction
    return operators.AddOperator(body.badge, body.name, tuple(body.roles), pin_hash)


def _change_operator(call: Call) -> operators.ChangeOperator:
    body: OperatorPatch = call.body
    roles = tuple(body.roles) if body.roles is not None else None
    return operators.ChangeOperator(call.badge, body.name, roles, body.active)


def _reset_pin(call: Call) -> operators.ResetPin:
    operators.find(call.badge)
    return operators.ResetPin(call.badge, operators.new_pin_hash(call.body.pin))


def _unlock(call: Call) -> operators.UnlockBadge:
    operators.find(call.badge)
    return operators.UnlockBadge(call.badge)


def _add_kiosk(call: Call) -> kiosks.AddKiosk:
    body: KioskIn = call.body
    return kiosks.AddKiosk(body.device_id, body.kind, body.station, _ttl(call))


def _ttl(call: Call) -> float:
    return float(call.settings.section("floor").enrollment_ttl_s)


def _enrollment(call: Call, result: dict[str, Any]) -> Printed:
    note = (
        f"(enroll {call.body.device_id} at /kiosk/ within {int(_ttl(call) // 60)} min; single use)"
    )
    return Printed(result["enrollment_code"], note)


def _revoke(call: Call) -> kiosks.RevokeKiosk:
    kiosks.find(call.device_id)
    return kiosks.RevokeKiosk(call.device_id)


def _kiosk_table(call: Call, result: dict[str, Any]) -> str:
    return "\n".join(
        f"{k['id']}\t{k['kind']}\t{k['station'] or '-'}\t{k['state']['enrollment']}"
        for k in result["data"]
    )


def _sessions(call: Call) -> dict[str, Any]:
    rows = FloorSession.select().where(OPEN).order_by(FloorSession.started_at)
    return {"data": [_session(r) for r in rows]}


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


OPERATIONS = (
    Operation(
        "GET",
        "/operators",
        "Floor operators",
        TAG,
        "admin",
        read=_operators,
        response=("Every operator", OperatorList),
        cli=Cli(OPERATOR, "list", "List operators (never their PINs).", render=_operator_table),
    ),
    Operation(
        "POST",
        "/operators",
        "Add an operator",
        TAG,
        "admin",
        command=_add_operator,
        body=OperatorIn,
        response=("The operator", OperatorOut),
        status=201,
        cli=Cli(
            OPERATOR,
            "add",
            "Add an operator.",
            args=("badge",),
            opts={"roles": Opt("--role"), **PIN_HELP},
            render=lambda c, r: f"added operator {c.body.badge} ({', '.join(c.body.roles)})",
        ),
    ),
    Operation(
        "PATCH",
        "/operators/<badge>",
        "Change name, roles or active (a change of roles or a disable logs them out)",
        TAG,
        "admin",
        command=_change_operator,
        body=OperatorPatch,
        response=("The operator", OperatorOut),
        cli=(
            Cli(
                OPERATOR,
                "disable",
                "Disable an operator (their open sessions end).",
                fields=(),
                fixed={"active": False},
                render=lambda c, r: f"disabled {c.badge}",
            ),
            Cli(
                OPERATOR,
                "enable",
                "Enable a disabled operator.",
                fields=(),
                fixed={"active": True},
                render=lambda c, r: f"enabled {c.badge}",
            ),
        ),
    ),
    Operation(
        "POST",
        "/operators/<badge>/pin",
        "Set a new PIN (also unlocks the badge)",
        TAG,
        "admin",
        command=_reset_pin,
        body=PinIn,
        response=("The operator", OperatorOut),
        cli=Cli(
            OPERATOR,
            "reset-pin",
            "Set a new PIN (also unlocks the badge).",
            opts=PIN_HELP,
            render=lambda c, r: f"new PIN set for {c.badge}",
        ),
    ),
    Operation(
        "POST",
        "/operators/<badge>/unlock",
        "Unlock a badge locked after wrong PINs",
        TAG,
        "admin",
        command=_unlock,
        answer=lambda c, r: operators.operator_json(operators.find(c.badge)),
        response=("The operator", OperatorOut),
        cli=Cli(
            OPERATOR,
            "unlock",
            "Unlock a badge locked after wrong PINs.",
            render=lambda c, r: (
                f"unlocked {c.badge}" if r["unlocked"] else f"{c.badge} was not locked"
            ),
        ),
    ),
    Operation(
        "GET",
        "/kiosks",
        "Kiosk devices",
        TAG,
        "admin",
        read=lambda c: {"data": kiosks.list_kiosks()},
        response=("Every kiosk", KioskList),
        cli=Cli(
            DEVICE,
            "list",
            "List kiosks with their enrollment state and availability.",
            render=_kiosk_table,
        ),
    ),
    Operation(
        "POST",
        "/kiosks",
        "Create a kiosk (or re-issue a code for a revoked one): a one-time code",
        TAG,
        "admin",
        command=_add_kiosk,
        body=KioskIn,
        response=("The kiosk and its enrollment code", KioskCreated),
        status=201,
        cli=Cli(
            DEVICE,
            "add",
            "Create a kiosk and print its one-time enrollment code.",
            args=("device_id",),
            opts={"station": Opt(help="The station a station kiosk serves")},
            render=_enrollment,
        ),
    ),
    Operation(
        "POST",
        "/kiosks/<device_id>/revoke",
        "Revoke a kiosk: its token stops working, its sessions end",
        TAG,
        "admin",
        command=_revoke,
        response=("The kiosk", KioskOut),
        cli=Cli(
            DEVICE,
            "revoke",
            "Revoke a kiosk: its token stops working and its sessions end.",
            render=lambda c, r: f"revoked {c.device_id}",
        ),
    ),
    Operation(
        "GET",
        "/floor/sessions",
        "Open floor sessions",
        TAG,
        "admin",
        read=_sessions,
        response=("Open sessions", FloorSessionList),
    ),
    Operation(
        "DELETE",
        "/floor/sessions/<session_id>",
        "End a floor session (the kiosk is logged out at once)",
        TAG,
        "admin",
        command=lambda c: EndSession(c.session_id, "supervisor"),
        response=("Ended", None),
    ),
)
