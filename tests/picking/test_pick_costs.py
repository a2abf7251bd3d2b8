"""What each step of the pick walk costs, in SQL statements, through the real HTTP path of
a handheld (docs/performance.md, "Statements per step"): login, home, the batch claim,
the tote, location, product, a keyed count, the tote put and the drop."""

from __future__ import annotations

import dataclasses

import pytest
from flask import Flask
from flask.testing import FlaskClient

from server.picking.settings import PickingSettings
from tests.fixtures.app import Api
from tests.fixtures.statements import Steps
from tests.floor.conftest import FLOOR, Kiosk, add_kiosk, add_operator
from tests.picking.conftest import order, post_order

# measured 2026-12-02; lower a budget when a change saves a statement. -1 on every input
# (2026-12-02): the input's key is looked up only when the input fails (Dedupe check_first);
# -1 on every step that reads the work: the batch read with its orders (store.current_work)
# -1 (2026-12-04) on every step that records events: numbered in their INSERT (eventlog.py)
BUDGETS = {  # (SQLite, PostgreSQL)
    "login": (10, 11),
    # a batch of 1 order; PostgreSQL +1 (2026-12-02): its orders locked and read again
    "claim": (16, 19),
    "tote": (12, 13),
    "location": (7, 7),  # +1 (2026-12-02): is the location's stock held (cold chain)?
    "product": (7, 7),
    "count": (6, 6),
    # PostgreSQL +1 (2026-12-02): the task locked and read again, a cancel may have won
    "tote_put": (13, 15),
    "drop": (16, 17),
    "home": (4, 4),
}


def test_each_pick_step_stays_within_its_statement_budget(
    app: Flask, client: FlaskClient, site: Api, totes: list[str]
) -> None:
    post_order(site, order("WEB-1", MUG=3))
    add_operator(app, "P1", ("picker",))
    code = add_kiosk(app, "HH-1", "handheld", None)
    token = client.post(f"{FLOOR}/enroll", json={"code": code}).json["device_token"]
    kiosk = Kiosk(client, "HH-1", token)
    steps = Steps()
    with steps.count("login"):
        assert kiosk.login("P1").status_code == 201
    with steps.count("claim"):
        kiosk.send(action="pick")
    with steps.count("tote"):
        kiosk.send(scan="T1")
    with steps.count("location"):
        kiosk.send(scan=kiosk.screen["target"]["location"])
    with steps.count("product"):
        kiosk.send(scan="4006381333931")
    with steps.count("count"):
        kiosk.send(action="key_qty", value=3)
    assert kiosk.screen["name"] == "pick.scan_tote_put", kiosk.screen
    with steps.count("tote_put"):
        kiosk.send(scan="T1")
    with steps.count("drop"):
        kiosk.send(scan="PACK-01")
    assert kiosk.screen["name"] == "pick.done", kiosk.screen
    with steps.count("home"):
        kiosk.send(action="home")
    steps.check(BUDGETS)


# The claim and the drop of a batch, by its number of orders (issue 17: each <= 3x a scan's
# CPU however many orders; statements measured 2026-12-02)
BATCH_BUDGETS = {  # orders -> {step: (SQLite, PostgreSQL)}
    8: {"claim": (16, 19), "drop": (16, 17)},
    20: {"claim": (16, 19), "drop": (16, 17)},
}


@pytest.mark.parametrize("orders", sorted(BATCH_BUDGETS))
def test_the_claim_and_the_drop_of_a_larger_batch_stay_within_budget(
    app: Flask, client: FlaskClient, site: Api, orders: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    spine = app.extensions["floorlink"].spine
    caps = spine.env.settings.model_copy(update={"picking": PickingSettings(max_orders=orders)})
    monkeypatch.setattr(spine, "env", dataclasses.replace(spine.env, settings=caps))
    codes = [f"B{i}" for i in range(orders)]
    assert site.put("/totes", {"totes": [{"code": c} for c in codes]}).status_code == 200
    for i in range(orders):
        post_order(site, order(f"WEB-{i}", PEN=1))
    add_operator(app, "P1", ("picker",))
    token = client.post(f"{FLOOR}/enroll", json={"code": add_kiosk(app, "HH-1", "handheld", None)})
    kiosk = Kiosk(client, "HH-1", token.json["device_token"])
    assert kiosk.login("P1").status_code == 201
    steps, scans, free, totes = Steps(), 0, list(codes), {}
    with steps.count("claim"):
        kiosk.send(action="pick")
    while kiosk.screen["name"] != "pick.scan_drop":
        name, target = kiosk.screen["name"], kiosk.screen["target"]
        if name == "pick.scan_tote":
            scan = totes.setdefault(target["order"], free.pop())
        elif name == "pick.scan_location":
            scan = target["location"]
        elif name in ("pick.scan_product", "pick.quantity"):
            scan = "96385074"
        else:
            assert name == "pick.scan_tote_put", kiosk.screen
            scan = target["tote"]
        with steps.count(f"scan {scans}"):
            kiosk.send(scan=scan)
        scans += 1
    with steps.count("drop"):
        kiosk.send(scan="PACK-01")
    assert kiosk.screen["name"] == "pick.done", kiosk.screen
    scan_cpu = sum(s.cpu_ms for n, s in steps.taken.items() if n.startswith("scan")) / scans
    for name in ("claim", "drop"):
        print(f"{orders} orders: {name} {steps.taken[name].cpu_ms / scan_cpu:.1f}x a scan's CPU")
    steps.taken = {n: s for n, s in steps.taken.items() if n in ("claim", "drop")}
    steps.check(BATCH_BUDGETS[orders])
