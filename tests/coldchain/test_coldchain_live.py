"""The cold chain through a real Mosquitto: a probe's readings taken in, an excursion past
its grace time raises an exception and holds the stock (not allocated, shown held), back
in range resolves the exception but the hold stays until a supervisor releases it; a
silent probe goes stale and comes back; every step reaches the OMS as a webhook; the
readings are kept for the audit."""

from __future__ import annotations

import time
from typing import Any

import pytest

from server.db import database as db_proxy
from server.models import SupervisorException
from server.models.coldchain import ProbeStatus
from tests.coldchain.conftest import PROBE, ColdFloor
from tests.coldchain.conftest import cold_floor as cold_floor
from tests.hardware.conftest import wait_for

pytestmark = pytest.mark.slow


def status() -> ProbeStatus | None:
    with db_proxy.connection_context():
        return ProbeStatus.get_or_none(ProbeStatus.probe_id == PROBE)


def stock_at(f: ColdFloor, location: str) -> dict[str, Any]:
    rows = f.oms.get("/stock", params={"sku": "MUG"}).json["data"]
    return next(r for r in rows if r["location"] == location)


def order(f: ColdFloor, external_id: str) -> dict[str, Any]:
    body = {
        "external_id": external_id,
        "channel": "web",
        "lines": [{"line_id": "1", "sku": "MUG", "qty": 1}],
    }
    r = f.oms.post("/orders", body, headers={"Idempotency-Key": external_id})
    assert r.status_code == 201, r.json
    return dict(r.json)


def test_an_excursion_holds_the_stock_until_a_supervisor_releases_it(
    cold_floor: ColdFloor,
) -> None:
    f = cold_floor
    f.celsius(4.2)
    wait_for(lambda: (s := status()) is not None and s.last_celsius == 4.2, what="a reading")
    assert stock_at(f, "F-01")["held"] is False

    out_at = time.monotonic()
    f.celsius(11.5)
    raised = f.wait_event("exception.raised", "the excursion", kind="temperature_excursion")
    assert time.monotonic() - out_at >= 1.0  # not before the grace time
    assert raised["data"]["subject"] == f"device:{PROBE}"
    assert raised["data"]["data"]["celsius"] == 11.5 and raised["data"]["data"]["max_c"] == 8.0
    held = f.wait_event("inventory.held", "the hold", location="F-01")
    assert held["data"]["stock"] == [{"sku": "MUG", "lot": None, "on_hand": 5, "reserved": 0}]
    row = stock_at(f, "F-01")
    assert row["held"] is True and row["allocatable"] is False
    assert order(f, "COLD-1")["status"] == "backordered"  # held stock is not allocated
    assert f.oms.get("/stock/holds").json["data"][0]["location"] == "F-01"

    f.celsius(5.0)  # back in range: the excursion is resolved, the stock stays held
    resolved = f.wait_event("exception.resolved", "resolved", kind="temperature_excursion")
    assert resolved["data"]["resolution"].startswith("back in range")
    time.sleep(0.5)
    assert stock_at(f, "F-01")["held"] is True

    refused = f.admin.post("/stock/holds/F-01/release", {"reason": ""})
    assert refused.status_code == 422
    r = f.admin.post("/stock/holds/F-01/release", {"reason": "probe checked: 4 min out, OK"})
    assert r.status_code == 200, r.json
    f.wait_event("inventory.released", "the release", location="F-01")
    f.wait_event("exception.resolved", "the hold's exception", kind="stock_held")
    assert stock_at(f, "F-01")["held"] is False
    assert f.admin.post("/stock/holds/F-01/release", {"reason": "again"}).status_code == 409

    readings = f.admin.get(f"/devices/{PROBE}/readings").json
    assert readings["location"] == "F-01"
    assert readings["range"] == {"min_c": 2.0, "max_c": 8.0}
    assert max(p["max_c"] for p in readings["data"]) == 11.5
    assert min(p["min_c"] for p in readings["data"]) == 4.2
    assert f.admin.get("/devices/nope/readings").status_code == 404
    bad = f.admin.get(f"/devices/{PROBE}/readings", params={"from": "yesterday"})
    assert bad.status_code == 422
    later = f.admin.get(
        f"/devices/{PROBE}/readings",
        params={"from": "2030-01-01T00:00:00Z", "to": "2029-01-01T00:00:00Z"},
    )
    assert later.status_code == 422
    # every step was signed and verified by the receiver
    assert all(r.valid for r in f.receiver.accepted)


def test_held_stock_moved_to_quarantine(cold_floor: ColdFloor) -> None:
    f = cold_floor
    f.celsius(15.0)
    f.wait_event("inventory.held", "the hold", location="F-01")
    r = f.admin.post("/stock/holds/F-01/quarantine", {"reason": "12 h above 8 °C"})
    assert r.status_code == 200, r.json
    released = f.wait_event("inventory.released", "moved", location="F-01")
    assert released["data"]["moved_to"] == "Q-01"
    assert stock_at(f, "Q-01")["on_hand"] == 5 and stock_at(f, "Q-01")["allocatable"] is False
    assert stock_at(f, "F-01")["on_hand"] == 0


def test_a_silent_probe_goes_stale_and_is_resolved_when_heard_again(
    cold_floor: ColdFloor,
) -> None:
    f = cold_floor
    f.celsius(4.0)
    stale = f.wait_event("exception.raised", "stale", kind="probe_stale")
    assert stale["data"]["subject"] == f"device:{PROBE}"
    f.celsius(4.1)
    f.wait_event("exception.resolved", "heard again", kind="probe_stale")
    with db_proxy.connection_context():
        kinds = {e.kind for e in SupervisorException.select()}
    assert "temperature_excursion" not in kinds
