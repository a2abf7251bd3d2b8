"""What each step of the pick walk costs, in SQL statements, through the real HTTP path of
a handheld (docs/performance.md, "Statements per step"): login, home, the batch claim,
the tote, location, product, a keyed count, the tote put and the drop."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.fixtures.app import Api
from tests.fixtures.statements import Steps
from tests.floor.conftest import FLOOR, Kiosk, add_kiosk, add_operator
from tests.picking.conftest import order, post_order

# measured 2026-12-02; lower a budget when a change saves a statement
BUDGETS = {  # (SQLite, PostgreSQL)
    "login": (11, 12),
    "claim": (19, 21),  # a batch of 1 order
    "tote": (16, 17),
    "location": (10, 10),  # +1 (2026-12-02): is the location's stock held (cold chain)?
    "product": (10, 10),
    "count": (9, 9),
    "tote_put": (17, 18),
    "drop": (20, 21),
    "home": (6, 6),
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
