"""Nothing changes state without its event: the spine refuses it, every handler obeys it.

Each handler of every area (server/areas.py) is driven with an example
command, its setup built through the real commands; a handler that wrote state must have
recorded at least one event. A handler of the server without an example here FAILS with its
name: add one to EXAMPLES.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from devices import mqtt_topics
from devices.payloads import (
    PayloadError,
    decode_message,
    encode,
    event_payload,
    new_session_id,
    status_payload,
)
from server import writes
from server.api.schemas import OrderIn
from server.areas import AREAS
from server.catalog.handlers import UpsertLocations, UpsertProducts
from server.floor.flow import FloorInput
from server.floor.inputs import ApplyInput, RenderSessions
from server.floor.kiosks import AddKiosk, EnrollKiosk, RevokeKiosk
from server.floor.operators import AddOperator, ChangeOperator, ResetPin, UnlockBadge, new_pin_hash
from server.floor.sessions import EndSession, ExpireIdleSessions, Login
from server.hardware.batch import fold
from server.hardware.handlers import IngestDeviceBatch
from server.ids import new_id
from server.inventory.handlers import AdjustStock
from server.models import (
    CountTask,
    PickBatch,
    Product,
    SupervisorException,
    WebhookDelivery,
    utcnow,
)
from server.orders.handlers import AcceptOrder, CancelOrder
from server.orders.holds import HoldOrder, ReleaseOrder
from server.picking.handlers import AssignBatch, CompleteCount
from server.picking.put_backs import CompletePutBack
from server.picking.settings import PickingSettings
from server.picking.waves import ReleaseWave
from server.returns.handlers import RegisterReturn
from server.spine import Spine, Unit, UnrecordedChange
from server.supervision.exceptions import ResolveException, raise_exception
from server.sync.deadletter import DeadLetter
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
from tests.fixtures.app import Api
from tests.fixtures.areas import TEST_HANDLERS
from tests.sync.conftest import TESTER, EmitEvents, emit, in_db


def _order(external_id: str) -> AcceptOrder:
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


@dataclass(frozen=True)
class RaiseForTest:
    kind: str


@TEST_HANDLERS.handles(RaiseForTest)
def _raise_for_test(cmd: RaiseForTest, unit: Unit) -> str:
    return str(raise_exception(unit, kind=cmd.kind, subject="order:E", message="m").exception_id)


def _endpoint(spine: Spine) -> str:
    result = spine.execute(CreateEndpoint("http://127.0.0.1:9/x", ["*"]), TESTER).result
    return str(result["id"])


def _dead_letter(spine: Spine) -> DeadLetter:
    endpoint_id = _endpoint(spine)
    emit(spine, ("order.picked", "order:DLX", {}))
    spine.execute(SendTestEvent(endpoint_id), TESTER)
    from server.sync import outbox

    in_db(outbox.fanout)
    delivery = in_db(lambda: WebhookDelivery.select().order_by(WebhookDelivery.id).first())
    return DeadLetter(delivery.id, 500, "HTTP 500")


# -- the floor: operators, kiosks, sessions and inputs, each through its own command --------

PIN = "4821"
LOCKOUT_ATTEMPTS, LOCKOUT_WINDOW_S = 3, 300.0


def _operator(spine: Spine, badge: str, *roles: str) -> str:
    pin_hash = new_pin_hash(PIN)
    spine.execute(AddOperator(badge, f"Operator {badge}", roles or ("picker",), pin_hash), TESTER)
    return badge


def _added_kiosk(spine: Spine, device_id: str) -> str:
    """A handheld created by a supervisor: its one-time enrollment code."""
    result = spine.execute(AddKiosk(device_id, "handheld", None, 900.0), TESTER).result
    return str(result["enrollment_code"])


def _kiosk(spine: Spine, device_id: str) -> str:
    spine.execute(EnrollKiosk(_added_kiosk(spine, device_id)), TESTER)
    return device_id


def _login(device_id: str, badge: str, pin_ok: bool = True) -> Login:
    return Login(device_id, None, badge, pin_ok, LOCKOUT_ATTEMPTS, LOCKOUT_WINDOW_S)


def _session(spine: Spine, badge: str = "P1") -> str:
    """A picker logged in on an enrolled handheld `HH-<badge>`: the session id."""
    device_id = _kiosk(spine, f"HH-{_operator(spine, badge)}")
    result = spine.execute(_login(device_id, badge), TESTER).result
    assert result["outcome"] == "ok", result
    return str(result["session_id"])


def _locked(spine: Spine, badge: str) -> str:
    """An operator whose badge got locked by wrong PINs on a kiosk."""
    device_id = _kiosk(spine, f"HH-{_operator(spine, badge)}")
    outcomes = [
        spine.execute(_login(device_id, badge, pin_ok=False), TESTER).result["outcome"]
        for _ in range(LOCKOUT_ATTEMPTS)
    ]
    assert outcomes[-1] == "lock_now", outcomes
    return badge


def _input(spine: Spine, session_id: str, **fields: Any) -> dict[str, Any]:
    screen: dict[str, Any] = spine.execute(
        ApplyInput(session_id, FloorInput(new_id("in"), **fields)), TESTER
    ).result
    feedback = screen.get("feedback") or {}
    assert feedback.get("level") != "error", screen
    return screen


def _ready_to_pick(spine: Spine, badge: str = "P1") -> str:
    """Totes, an accepted order EX-P (one Mug) and a picker logged in: the session."""
    spine.execute(UpsertTotes(["T1", "T2"]), TESTER)
    spine.execute(_order("EX-P"), TESTER)
    return _session(spine, badge)


def _picking(spine: Spine, badge: str = "P1") -> str:
    """A picker who chose Picking and claimed a batch of order EX-P: the session."""
    session_id = _ready_to_pick(spine, badge)
    _input(spine, session_id, action="pick")
    return session_id


def _batch(spine: Spine) -> str:
    _picking(spine)
    return str(in_db(lambda: PickBatch.get().batch_id))


def _put_back_waiting(spine: Spine) -> str:
    """Order EX-P picked into tote T1, dropped at the pack zone, then cancelled: the tote."""
    session_id = _picking(spine)
    for code in ("T1", "LA-01-01-1", "4006381333931", "T1", "PACK-01"):
        _input(spine, session_id, scan=code)
    spine.execute(CancelOrder("EX-P", "customer"), TESTER)
    return "T1"


def _waiting_for_release(spine: Spine) -> str:
    """Order EX-W accepted while picking.release is manual: it waits for a wave."""
    manual = spine.env.settings.model_copy(update={"picking": PickingSettings(release="manual")})
    env, spine.env = spine.env, dataclasses.replace(spine.env, settings=manual)
    try:
        spine.execute(_order("EX-W"), TESTER)
    finally:
        spine.env = env
    return "EX-W"


def _count_task(spine: Spine) -> int:
    """A count task, raised by a picker who found the Mug location empty."""
    session_id = _picking(spine)
    _input(spine, session_id, scan="T1")
    _input(spine, session_id, scan="LA-01-01-1")
    _input(spine, session_id, action="short_not_found")
    return int(in_db(lambda: CountTask.get(CountTask.status == "open").id))


def _held(spine: Spine, external_id: str) -> str:
    spine.execute(_order(external_id), TESTER)
    spine.execute(HoldOrder(external_id, "address check"), TESTER)
    return external_id


def _device_batch() -> IngestDeviceBatch:
    """A scale heard for the first time over MQTT: its availability, then a weight."""
    session = new_session_id()
    raw = [
        (
            mqtt_topics.availability("site1", "scale-1"),
            status_payload("online", session, bridge="edge-1"),
        ),
        (
            mqtt_topics.event("site1", "scale-1", "weight"),
            event_payload("scale-1", session, 1, {"grams": 412.0, "stable": True}),
        ),
    ]
    messages = [decode_message(topic, encode(payload)) for topic, payload in raw]
    decoded = [m for m in messages if not isinstance(m, PayloadError)]
    assert decoded == messages, messages
    return IngestDeviceBatch(fold(decoded, utcnow()))


Example = Callable[[Spine], Any]
EXAMPLES: dict[type, Example] = {
    UpsertProducts: lambda s: UpsertProducts(
        [
            {
                "sku": "NEW",
                "name": "New",
                "barcodes": [],
                "weight_g": 1,
                "dims_mm": (1, 1, 1),
                "lot_tracked": False,
                "expiry_tracked": False,
            }
        ]
    ),
    UpsertLocations: lambda s: UpsertLocations(
        [{"code": "Z-1", "barcode": None, "zone": "Z", "kind": "pick", "walk_sequence": 1}]
    ),
    AdjustStock: lambda s: AdjustStock(
        [{"sku": "MUG", "location": "A-01-01-1", "delta": 1, "reason": "count"}]
    ),
    AcceptOrder: lambda s: _order("EX-1"),
    CancelOrder: lambda s: (s.execute(_order("EX-2"), TESTER), CancelOrder("EX-2", "x"))[1],
    RegisterReturn: lambda s: (
        s.execute(_order("EX-3"), TESTER),
        RegisterReturn(
            {
                "rma_id": "RMA-1",
                "order_external_id": "EX-3",
                "lines": [{"sku": "MUG", "qty": 1, "reason": "damaged"}],
            }
        ),
    )[1],
    ResolveException: lambda s: ResolveException(s.execute(RaiseForTest("k"), TESTER).result),
    RaiseForTest: lambda s: RaiseForTest("k"),
    EmitEvents: lambda s: EmitEvents([("x.y", "order:Q", {})]),
    CreateEndpoint: lambda s: CreateEndpoint("https://oms.example/h", ["order.*"]),
    UpdateEndpoint: lambda s: UpdateEndpoint(_endpoint(s), description="d"),
    DeleteEndpoint: lambda s: DeleteEndpoint(_endpoint(s)),
    RotateSecret: lambda s: RotateSecret(_endpoint(s)),
    SetEndpointStatus: lambda s: SetEndpointStatus(_endpoint(s), "pause"),
    SendTestEvent: lambda s: SendTestEvent(_endpoint(s)),
    ReplayEvents: lambda s: ReplayEvents(
        _endpoint(s), since=dt.datetime(2000, 1, 1), until=dt.datetime(2100, 1, 1)
    ),
    DeadLetter: _dead_letter,
    AddOperator: lambda s: AddOperator("B-7", "Ana", ("picker",), new_pin_hash(PIN)),
    ChangeOperator: lambda s: ChangeOperator(_operator(s, "B-7"), roles=("picker", "packer")),
    ResetPin: lambda s: ResetPin(_operator(s, "B-7"), new_pin_hash("9031")),
    UnlockBadge: lambda s: UnlockBadge(_locked(s, "B-7")),
    AddKiosk: lambda s: AddKiosk("HH-9", "handheld", None, 900.0),
    EnrollKiosk: lambda s: EnrollKiosk(_added_kiosk(s, "HH-9")),
    RevokeKiosk: lambda s: (_session(s, "P1"), RevokeKiosk("HH-P1"))[1],
    Login: lambda s: _login(_kiosk(s, "HH-9"), _operator(s, "B-7")),
    EndSession: lambda s: EndSession(_session(s), "logout"),
    ExpireIdleSessions: lambda s: (_session(s), ExpireIdleSessions(0.0))[1],
    ApplyInput: lambda s: ApplyInput(_ready_to_pick(s), FloorInput(new_id("in"), action="pick")),
    RenderSessions: lambda s: RenderSessions((_picking(s),)),
    HoldOrder: lambda s: (s.execute(_order("EX-H"), TESTER), HoldOrder("EX-H", "fraud check"))[1],
    ReleaseOrder: lambda s: ReleaseOrder(_held(s, "EX-H")),
    AssignBatch: lambda s: AssignBatch(_batch(s), _operator(s, "P2")),
    UpsertTotes: lambda s: UpsertTotes(["T-100", "T-101"]),
    CompleteCount: lambda s: CompleteCount(_count_task(s), counted=3),
    CompletePutBack: lambda s: CompletePutBack(_put_back_waiting(s), "A-01-01-1"),
    ReleaseWave: lambda s: (_waiting_for_release(s), ReleaseWave(limit=10))[1],
    IngestDeviceBatch: lambda s: _device_batch(),
}
# Handlers that only keep the machinery's bookkeeping (exempt tables): driven like the rest,
# they must pass the spine's check and record nothing.
BOOKKEEPING_ONLY: set[type] = {RenderSessions}


def _server_handlers() -> set[type]:
    """The command types of every area's handlers (the production table, tests left out)."""
    return {t for area in AREAS for table in area.handlers for t in table.table}


def test_every_server_handler_has_an_example() -> None:
    missing = sorted(t.__name__ for t in _server_handlers() - set(EXAMPLES))
    assert not missing, f"no example command for {', '.join(missing)}: add one to EXAMPLES"


@pytest.mark.parametrize(
    "command_type", sorted(_server_handlers() | set(EXAMPLES), key=lambda t: t.__name__), ids=str
)
def test_handler_records_an_event_for_its_change(
    command_type: type, site: Api, spine: Spine
) -> None:
    example = EXAMPLES.get(command_type)
    if example is None:
        pytest.fail(f"no example command for {command_type.__name__}: add one to {__name__}")
    outcome = spine.execute(example(spine), TESTER)
    if command_type in BOOKKEEPING_ONLY:
        assert outcome.result and not outcome.events, outcome
        return
    assert outcome.events, f"{command_type.__name__} recorded no event"


def test_unlocking_a_badge_that_is_not_locked_changes_nothing(site: Api, spine: Spine) -> None:
    badge = _operator(spine, "B-8")
    outcome = spine.execute(UnlockBadge(badge), TESTER)  # was: UnrecordedChange (badge_lock)
    assert outcome.result == {"badge": badge, "unlocked": False}
    assert not outcome.events


@dataclass(frozen=True)
class SneakyRename:
    sku: str


@TEST_HANDLERS.handles(SneakyRename)
def _sneaky(cmd: SneakyRename, unit: Unit) -> None:
    Product.update(name="renamed").where(Product.sku == cmd.sku).execute()


def test_a_change_without_event_is_refused_and_rolled_back(site: Api, spine: Spine) -> None:
    EXAMPLES[SneakyRename] = lambda s: SneakyRename("MUG")
    with pytest.raises(UnrecordedChange, match="product"):
        spine.execute(SneakyRename("MUG"), TESTER)
    assert in_db(lambda: Product.get(Product.sku == "MUG").name) == "Mug"


def test_bookkeeping_writes_need_no_event(site: Api, spine: Spine) -> None:
    assert in_db(lambda: SupervisorException.select().count()) == 0
    assert writes.written_table('UPDATE "webhook_delivery" SET x=1') == "webhook_delivery"
    assert writes.state_tables({"event", "webhook_delivery", "product"}) == {"product"}


@pytest.mark.parametrize(
    ("sql", "table"),
    [
        ('INSERT INTO "order" ("a") VALUES (?)', "order"),
        ('insert or ignore into "stock" values (1)', "stock"),
        ('UPDATE "public"."stock" SET "on_hand" = 1', "stock"),
        ('DELETE FROM "allocation" WHERE 1', "allocation"),
        ('SELECT * FROM "stock" FOR UPDATE', None),
        ("WITH x AS (SELECT 1) SELECT 1", None),
    ],
)
def test_written_table(sql: str, table: str | None) -> None:
    assert writes.written_table(sql) == table
