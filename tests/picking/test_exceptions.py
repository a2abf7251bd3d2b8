"""Unhappy paths of the walk: mistakes change nothing; shorts, skips, cancels, holds."""

from __future__ import annotations

import dataclasses
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask

from server.cli import cli
from server.models import (
    CountTask,
    Event,
    Location,
    OrderLine,
    PickBatch,
    PickTask,
    Stock,
    SupervisorException,
    Tote,
)
from server.picking.endings import drop_batch
from server.picking.settings import PickingSettings
from server.picking.store import OrderSlot, load_work
from server.spine import Actor, Unit
from tests.fixtures.app import Api
from tests.fixtures.areas import TEST_HANDLERS
from tests.picking.conftest import order, post_order


def snapshot() -> tuple[Any, ...]:
    return (
        [(s.id, s.on_hand, s.reserved) for s in Stock.select().order_by(Stock.id)],
        [(t.id, t.picked, t.status, t.seq) for t in PickTask.select().order_by(PickTask.id)],
        Event.select().count(),
    )


def at_product(p: Any) -> None:
    p.enter()
    p.scan("T1")
    p.scan("A-01-01-1")


MUG = "4006381333931"


@pytest.mark.parametrize(
    ("setup", "mistake", "expected"),
    [
        ([], MUG, "Wrong location 4006381333931: go to A-01-01-1"),
        (["A-01-01-1"], "PEN-INT-1", "Wrong product PEN-INT-1: scan Mug"),
        (["A-01-01-1", MUG, MUG], MUG, "Wrong tote"),  # count complete: the tote is next
        (["A-01-01-1", MUG, MUG], "T2", "Wrong tote T2: put them in tote T1"),
        (["A-01-01-1"], "(01)04006381333931(37)3", "over-pick"),
        (["A-01-01-1"], "4006381333932", "check digit"),
    ],
)
def test_mistakes_show_what_was_expected_and_change_nothing(
    site: Api,
    totes: list[str],
    picker_of: Any,
    database: Any,
    setup: list[str],
    mistake: str,
    expected: str,
) -> None:
    post_order(site, order("WEB-1", MUG=2))
    p = picker_of()
    p.enter()
    p.scan("T1")
    for code in setup:
        p.scan(code)
        assert p.error is None, p.screen
    before, name = snapshot(), p.screen["name"]
    p.scan(mistake)
    assert p.error and expected.lower() in p.error.lower(), p.screen
    assert p.screen["name"] == name
    assert snapshot() == before


@pytest.mark.parametrize(("code", "expected"), [("NOPE", "not a known tote"), ("T1", "in use")])
def test_unknown_or_busy_tote_is_refused(
    site: Api, totes: list[str], picker_of: Any, database: Any, code: str, expected: str
) -> None:
    post_order(site, order("WEB-1", MUG=1))
    post_order(site, order("WEB-2", PEN=1))
    p = picker_of()
    p.enter()
    p.scan("T1")
    p.scan(code)
    assert p.error and expected in p.error
    assert Tote.get(Tote.code == "T2").status == "free"


def test_short_pick_reallocates_rest_and_raises_exception(
    site: Api, totes: list[str], picker_of: Any, database: Any
) -> None:
    site.post(
        "/stock/adjustments",
        {"adjustments": [{"sku": "MUG", "location": "BULK-01", "delta": 1, "reason": "count"}]},
    )
    post_order(site, order("WEB-1", MUG=4))
    p = picker_of()
    at_product(p)
    p.scan("4006381333931")
    p.act("short", "empty")
    assert p.screen["name"] == "pick.scan_tote_put"
    p.scan("T1")
    assert p.screen["name"] == "pick.scan_location"
    assert p.screen["target"]["location"] == "BULK-01"  # the rest, appended to the walk
    assert p.screen["feedback"]["level"] == "warn"
    assert "1 found elsewhere, 2 missing" in p.screen["feedback"]["message"]
    exc = SupervisorException.get()
    assert exc.kind == "short_pick" and exc.subject == "order:WEB-1"
    task = CountTask.get()
    assert (task.location.code, task.status) == ("A-01-01-1", "open")
    line = OrderLine.get()
    assert (line.picked, line.allocated) == (1, 1)
    pick = p.scan("BULK-01")
    assert pick["name"] == "pick.scan_product"
    p.scan("4006381333931")
    p.scan("T1")
    p.scan("PACK-01")
    short = Event.get(Event.type == "order.short_picked").data
    assert short["missing"][0]["qty"] == 2
    assert short["missing"][0]["reasons"][0]["reason"] == "empty"
    assert site.get("/orders/WEB-1").json["status"] == "short_picked"


def test_count_after_short_adjusts_stock(
    site: Api, totes: list[str], picker_of: Any, admin_api: Api, database: Any
) -> None:
    post_order(site, order("WEB-1", MUG=2))
    p = picker_of()
    at_product(p)
    p.act("short_not_found")
    tasks = admin_api.get("/picking/count-tasks").json["data"]
    assert [t["location"] for t in tasks] == ["A-01-01-1"]
    done = admin_api.post(f"/picking/count-tasks/{tasks[0]['id']}/complete", {"counted": 3})
    assert done.status_code == 200, done.json
    adjusted = [
        e.data
        for e in Event.select().where(Event.type == "inventory.adjusted")
        if e.data["reason"] == "count after short pick"
    ]
    assert [(a["on_hand"], a["delta"]) for a in adjusted] == [(3, -7)]


def test_skip_moves_task_to_the_end(site: Api, totes: list[str], picker_of: Any) -> None:
    post_order(site, order("WEB-1", MUG=1, PEN=1))
    p = picker_of()
    p.enter()
    p.scan("T1")
    assert p.screen["target"]["location"] == "A-01-01-1"
    p.act("skip")
    assert p.screen["target"]["location"] == "A-01-02-1"
    p.scan("A-01-02-1")
    p.scan("PEN-INT-1")
    p.scan("T1")
    assert p.screen["target"]["location"] == "A-01-01-1"


def test_cancel_while_picking_puts_tote_back(
    site: Api, totes: list[str], picker_of: Any, database: Any
) -> None:
    post_order(site, order("WEB-1", priority=9, MUG=2))
    post_order(site, order("WEB-2", PEN=1))
    p = picker_of()
    p.enter()
    p.scan("T1")
    p.scan("T2")
    p.scan("A-01-01-1")
    p.scan("4006381333931")
    p.scan("4006381333931")
    p.scan("T1")
    assert site.post("/orders/WEB-1/cancel", {"reason": "customer"}).status_code == 200
    screen = p.act("refresh")  # any input shows the pushed screen
    assert screen["name"] == "pick.put_back", screen
    assert screen["target"] == {"tote": "T1", "order": "WEB-1", "location": "RET-01"}
    p.scan("A-01-02-1")
    assert p.error and "RET-01" in p.error
    p.scan("RET-01")
    assert p.screen["name"] == "pick.scan_location"
    assert p.screen["target"]["location"] == "A-01-02-1"
    ret = Stock.get(Stock.location == Stock.location.rel_model.get(code="RET-01"))
    assert ret.on_hand == 2
    assert Tote.get(Tote.code == "T1").status == "free"


def picked_and_dropped(site: Api, picker_of: Any) -> None:
    """Order WEB-1 (two Mugs) picked into tote T1 and dropped at PACK-01."""
    post_order(site, order("WEB-1", MUG=2))
    p = picker_of()
    p.enter()
    for code in ("T1", "A-01-01-1", MUG, MUG, "T1", "PACK-01"):
        p.scan(code)
    assert p.screen["name"] == "pick.done"


def test_cancel_after_the_drop_is_put_back_by_a_supervisor(
    site: Api, totes: list[str], picker_of: Any, admin_api: Api, database: Any
) -> None:
    picked_and_dropped(site, picker_of)
    assert admin_api.get("/picking/put-backs").json["data"] == []
    on_shelf = Stock.get(Stock.location == Stock.location.rel_model.get(code="A-01-01-1"))

    assert site.post("/orders/WEB-1/cancel", {"reason": "customer"}).status_code == 200
    [waiting] = admin_api.get("/picking/put-backs").json["data"]
    assert (waiting["tote"], waiting["order"], waiting["status"]) == ("T1", "WEB-1", "pending")
    raised = SupervisorException.get(SupervisorException.kind == "put_back")
    assert (raised.subject, raised.status) == ("tote:T1", "open")
    assert "T1 reached PACK-01" in raised.message
    before, last = snapshot(), Event.select().order_by(Event.position.desc()).first().position

    refused = [
        (admin_api.post("/picking/put-backs/T9/complete", {"location": "RET-01"}), 404),
        (admin_api.post("/picking/put-backs/T1/complete", {"location": "NOWHERE"}), 422),
        (admin_api.post("/picking/put-backs/T1/complete", {"location": "PACK-01"}), 422),
        (admin_api.post("/picking/put-backs/T2/complete", {"location": "RET-01"}), 409),
        (admin_api.post("/picking/put-backs/T1/complete", {"place": "RET-01"}), 422),
        (site.post("/picking/put-backs/T1/complete", {"location": "RET-01"}), 403),
    ]
    assert [r.status_code for r, _ in refused] == [want for _, want in refused]
    assert all(r.content_type == "application/problem+json" for r, _ in refused)
    assert snapshot() == before  # nothing changed

    done = admin_api.post("/picking/put-backs/T1/complete", {"location": "A-01-01-1"})
    assert done.status_code == 200
    assert done.json == {"tote": "T1", "order": "WEB-1", "location": "A-01-01-1", "units": 2}
    assert Stock.get_by_id(on_shelf.id).on_hand == on_shelf.on_hand + 2
    assert Tote.get(Tote.code == "T1").status == "free"
    assert SupervisorException.get_by_id(raised.id).status == "resolved"
    after = Event.select().where(Event.position > last).order_by(Event.position)
    types = [e.type for e in after]
    assert types == ["inventory.adjusted", "tote.put_back", "exception.resolved"]
    assert admin_api.get("/picking/put-backs").json["data"] == []
    again = admin_api.post("/picking/put-backs/T1/complete", {"location": "A-01-01-1"})
    assert again.status_code == 409


@dataclass(frozen=True)
class DropWithSlotsReadEarlier:
    """The drop of an input that read the batch before a concurrent cancel committed (on
    PostgreSQL the cancel can commit between the input's read and its drop)."""

    batch_id: int
    slots: tuple[OrderSlot, ...]
    location: str


def _drop_with(cmd: DropWithSlotsReadEarlier, unit: Unit) -> dict[str, Any]:
    batch = PickBatch.get_by_id(cmd.batch_id)
    drop_batch(batch, list(cmd.slots), Location.get(Location.code == cmd.location), unit)
    return {}


TEST_HANDLERS.handles(DropWithSlotsReadEarlier)(_drop_with)


def test_an_order_cancelled_while_its_batch_is_dropped_is_not_dropped(
    site: Api, totes: list[str], picker_of: Any, admin_api: Api, app: Flask, database: Any
) -> None:
    post_order(site, order("WEB-1", priority=9, MUG=1))
    post_order(site, order("WEB-2", PEN=1))
    p = picker_of()
    p.enter()
    for code in ("T1", "T2", "A-01-01-1", MUG, "T1", "A-01-02-1", "PEN-INT-1", "T2"):
        p.scan(code)
    assert p.screen["name"] == "pick.scan_drop", p.screen
    work = load_work(PickBatch.get())
    assert [s.status for s in work.orders] == ["active", "active"]
    assert site.post("/orders/WEB-2/cancel", {"reason": "customer"}).status_code == 200
    last = Event.select().order_by(Event.position.desc()).first().position

    cmd = DropWithSlotsReadEarlier(work.batch.id, tuple(work.orders), "PACK-01")
    app.extensions["floorlink"].spine.execute(cmd, Actor("operator", "P1"))

    after = Event.select().where(Event.position > last).order_by(Event.position)
    assert [(e.type, e.subject) for e in after] == [
        ("order.picked", "order:WEB-1"),
        ("exception.raised", after[1].subject),
        ("batch.dropped", f"batch:{work.batch.batch_id}"),
    ]
    assert site.get("/orders/WEB-2").json["status"] == "cancelled"
    assert Tote.get(Tote.code == "T2").location.code == "PACK-01"
    [waiting] = admin_api.get("/picking/put-backs").json["data"]
    assert (waiting["tote"], waiting["order"]) == ("T2", "WEB-2")
    done = admin_api.post("/picking/put-backs/T2/complete", {"location": "RET-01"})
    assert done.status_code == 200 and done.json["units"] == 1


def test_put_back_from_the_cli(
    site: Api, totes: list[str], picker_of: Any, db_url: str, tmp_path: Path
) -> None:
    picked_and_dropped(site, picker_of)
    assert site.post("/orders/WEB-1/cancel", {"reason": "customer"}).status_code == 200
    config = tmp_path / "floorlink.toml"
    config.write_text(f'database_url = "{db_url}"\nsecret_key = "k"\n')

    def floorlink(*args: str) -> Any:
        return CliRunner().invoke(cli, ["--config", str(config), "picking", *args])

    listed = floorlink("put-backs")
    assert listed.exit_code == 0, listed.output
    assert [(w["tote"], w["order"]) for w in json.loads(listed.output)] == [("T1", "WEB-1")]
    nowhere = floorlink("put-back", "T1", "NOWHERE")
    assert nowhere.exit_code == 1 and "cannot be put back at NOWHERE" in nowhere.output
    done = floorlink("put-back", "T1", "RET-01")
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["units"] == 2
    assert json.loads(floorlink("put-backs").output) == []


def test_a_tote_still_on_the_walk_is_put_back_by_its_picker(
    site: Api, totes: list[str], picker_of: Any, admin_api: Api, database: Any
) -> None:
    post_order(site, order("WEB-1", priority=9, MUG=2))
    post_order(site, order("WEB-2", PEN=1))
    p = picker_of()
    p.enter()
    for code in ("T1", "T2", "A-01-01-1", MUG, MUG, "T1"):
        p.scan(code)
    assert site.post("/orders/WEB-1/cancel", {"reason": "customer"}).status_code == 200
    assert SupervisorException.select().where(SupervisorException.kind == "put_back").count() == 0
    refused = admin_api.post("/picking/put-backs/T1/complete", {"location": "RET-01"})
    assert refused.status_code == 409 and "picker" in refused.json["detail"]
    assert admin_api.get("/picking/put-backs").json["data"] == []  # the picker's to do


def test_hold_release_and_reassign(
    site: Api, totes: list[str], picker_of: Any, admin_api: Api, database: Any
) -> None:
    post_order(site, order("WEB-1", MUG=1))
    assert admin_api.post("/picking/orders/WEB-1/hold", {"reason": "fraud"}).status_code == 200
    assert picker_of("P1").enter()["name"] == "pick.no_work"
    assert admin_api.post("/picking/orders/WEB-1/release", {}).status_code == 200
    assert picker_of("P1").enter()["name"] == "pick.scan_tote"
    batch = admin_api.get("/picking/batches").json["data"][0]
    assert batch["operator"] == "P1"
    moved = admin_api.post(f"/picking/batches/{batch['batch_id']}/reassign", {"badge": "P2"})
    assert moved.json["operator"] == "P2"
    assert picker_of("P1").enter()["name"] == "pick.no_work"
    assert admin_api.post(f"/picking/batches/{batch['batch_id']}/unassign", {}).status_code == 200
    assert picker_of("P3").enter()["name"] == "pick.scan_tote"
    assert admin_api.post("/picking/orders/NOPE/hold", {}).status_code == 404
    assert site.post("/picking/orders/WEB-1/hold", {}).status_code == 403


def test_concurrent_claims_never_share_an_order(
    site: Api, totes: list[str], picker_of: Any, database: Any, monkeypatch: Any, app: Any
) -> None:
    spine = app.extensions["floorlink"].spine
    one_order = spine.env.settings.model_copy(update={"picking": PickingSettings(max_orders=1)})
    monkeypatch.setattr(spine, "env", dataclasses.replace(spine.env, settings=one_order))
    for i in range(8):
        post_order(site, order(f"WEB-{i}", PEN=1))
    pickers = [picker_of(f"P{i}") for i in range(8)]
    barrier = threading.Barrier(len(pickers))
    errors: list[BaseException] = []

    def claim(p: Any) -> None:
        try:
            barrier.wait()
            p.enter()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=claim, args=(p,)) for p in pickers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    claimed = [p.screen["target"]["order"] for p in pickers]
    assert sorted(claimed) == sorted(f"WEB-{i}" for i in range(8))


class RecordingLights:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str, dict[str, Any]]] = []

    def light_at_location(self, code: str) -> str | None:
        return "PTL-1" if code == "A-01-01-1" else None

    def send_command(self, device: str, name: str, payload: Any, ttl_s: float) -> str:
        self.sent.append((device, name, dict(payload)))
        return "cmd"


def test_pick_to_light_shows_and_press_confirms(
    site: Api, totes: list[str], picker_of: Any, app: Any
) -> None:
    recorder = RecordingLights()
    runtime = app.extensions["floorlink"]
    previous, runtime.lights = runtime.lights, recorder
    try:
        post_order(site, order("WEB-1", MUG=3))
        p = picker_of()
        p.enter()
        p.scan("T1")
        assert recorder.sent == [("PTL-1", "show", {"text": "3 MUG", "color": "green", "qty": 3})]
        p.act("confirm", source="light:PTL-1")
        assert p.screen["name"] == "pick.scan_tote_put"
        assert recorder.sent[-1] == ("PTL-1", "off", {})
        p.scan("T1")
        assert OrderLine.get().picked == 3
    finally:
        runtime.lights = previous


def test_units_put_back_on_a_pick_shelf_serve_a_backordered_order(
    site: Api, totes: list[str], picker_of: Any, admin_api: Api, database: Any
) -> None:
    """A put-back is stock arriving, as an adjustment is: the same backorder rule runs."""
    picked_and_dropped(site, picker_of)  # two of the ten mugs in tote T1
    waiting = site.post("/orders", order("WEB-2", MUG=9), headers={"Idempotency-Key": "W2"})
    assert waiting.json["status"] == "backordered", waiting.json
    assert site.post("/orders/WEB-1/cancel", {"reason": "customer"}).status_code == 200
    done = admin_api.post("/picking/put-backs/T1/complete", {"location": "A-01-01-1"})
    assert done.status_code == 200, done.json
    assert site.get("/orders/WEB-2").json["status"] == "accepted"
    accepted = Event.select().where(Event.subject == "order:WEB-2", Event.type == "order.accepted")
    assert accepted.count() == 1
