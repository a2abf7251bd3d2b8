"""The return zone on the real app: a site with returns, quarantine, refurbish, scrap and
vendor locations, a shipped order (its packages with lots and serials), an RMA, and Rita
the returns clerk at the station kiosk of RET-01."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from server.areas import load_settings
from server.config import Settings
from server.db import database as db_proxy
from server.models import Order, OrderLine, Package, PackageItem, PackJob, Product
from tests.fixtures.app import Api
from tests.floor.conftest import FLOOR, Kiosk, add_kiosk, add_operator
from tests.floor.conftest import enrolled as enrolled  # noqa: F401  (the fixtures)
from tests.floor.conftest import operator as operator  # noqa: F401

ZONES = [
    {"code": "QUAR-01", "zone": "R", "kind": "quarantine", "walk_sequence": 920},
    {"code": "QUAR-02", "zone": "R", "kind": "quarantine", "walk_sequence": 921},
    {"code": "REFURB-01", "zone": "R", "kind": "refurbish", "walk_sequence": 930},
    {"code": "SCRAP-01", "zone": "R", "kind": "scrap", "walk_sequence": 940},
    {"code": "RTV-01", "zone": "R", "kind": "vendor", "walk_sequence": 945},
]
MUG, TEA, PEN = "4006381333931", "5901234123457", "96385074"
# The default tree's paths (server/returns/grading.py DEFAULT_TREE)
RESTOCK = ["answer_yes"]  # sealed: A, restock
SCRAP = ["answer_no", "answer_yes", "answer_no"]  # opened, damaged, beyond repair: D, scrap
REFURBISH = ["answer_no", "answer_yes", "answer_yes"]  # damaged, repairable: C, refurbish
VENDOR = ["answer_no", "answer_no", "answer_yes", "answer_no"]  # faulty: C, return_to_vendor


@pytest.fixture
def returns_overrides() -> dict[str, Any]:
    return {}


@pytest.fixture
def settings(db_url: str, returns_overrides: dict[str, Any]) -> Settings:
    return load_settings(
        env={},
        database_url=db_url,
        secret_key="test-secret-key",
        relay={"enabled": False},
        mqtt={"enabled": False},
        returns={"dwell_check_s": 3600} | returns_overrides,
    )


@pytest.fixture
def zones(site: Api) -> Api:
    assert site.put("/locations", {"locations": ZONES}).status_code == 200
    return site


def ship(api: Api, external_id: str, lines: dict[str, int], serials: dict[str, list[str]] | None = None,
         lots: dict[str, tuple[str, str]] | None = None) -> None:  # fmt: skip
    """An order posted by the OMS, then packed as packing leaves it (a package with its
    lots and serials, the order `packed`), written straight to the tables: the flows that
    get it there have their own tests (tests/returns/test_return_end_to_end.py runs them)."""
    body = {
        "external_id": external_id, "channel": "web", "ship_by": "2030-01-01T12:00:00Z",
        "lines": [{"line_id": str(i), "sku": s, "qty": q} for i, (s, q) in enumerate(lines.items(), 1)],
    }  # fmt: skip
    r = api.post("/orders", body, headers={"Idempotency-Key": external_id})
    assert r.status_code == 201, r.json
    serials, lots = serials or {}, lots or {}
    with db_proxy.connection_context():
        order = Order.get(Order.external_id == external_id)
        job = PackJob.create(order=order, packer="K1", status="done")
        package = Package.create(job=job, order=order, seq=1, box="M", status="packed",
                                 sscc=f"00614141{order.id:09d}"[:17] + "0")  # fmt: skip
        package.sscc = _sscc(f"0614141{order.id:010d}")
        package.tracking = f"TRK{order.id:06d}"
        package.save()
        for line in OrderLine.select().where(OrderLine.order == order):
            sku = Product.get_by_id(line.product_id).sku
            lot, expiry = lots.get(sku, (None, None))
            PackageItem.create(
                package=package, line=line, product=line.product_id, qty=line.qty,
                serials=serials.get(sku, []), lot=lot,
                expiry=dt.date.fromisoformat(expiry) if expiry else None,
            )  # fmt: skip
            line.picked = line.packed = line.qty
            line.save()
        order.status = "packed"
        order.save()


def _sscc(body17: str) -> str:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(body17))
    return body17 + str((10 - total % 10) % 10)


def sscc_of(external_id: str) -> str:
    with db_proxy.connection_context():
        order = Order.get(Order.external_id == external_id)
        return str(Package.get(Package.order == order).sscc)


def rma(api: Api, rma_id: str, order: str, **lines: int) -> dict[str, Any]:
    body = {"rma_id": rma_id, "order_external_id": order,
            "lines": [{"sku": s, "qty": q, "reason": "changed mind"} for s, q in lines.items()]}  # fmt: skip
    r = api.post("/returns", body)
    assert r.status_code == 201, r.json
    return dict(r.json)


@pytest.fixture
def shipped(zones: Api) -> Callable[..., None]:
    return lambda *a, **kw: ship(zones, *a, **kw)


@pytest.fixture
def clerk(app: Flask, client: FlaskClient) -> Kiosk:
    """Rita the returns clerk, logged in at the station kiosk of RET-01, on the returns flow."""
    add_operator(app, "R1", ("returns",))
    code = add_kiosk(app, "ST-RET-01", "station", "RET-01")
    r = client.post(f"{FLOOR}/enroll", json={"code": code})
    kiosk = Kiosk(client, "ST-RET-01", r.json["device_token"])
    assert kiosk.login("R1").status_code == 201
    kiosk.send(action="returns")
    return kiosk


def grade(kiosk: Kiosk, answers: list[str]) -> dict[str, Any]:
    for answer in answers:
        assert kiosk.screen["name"] == "returns.grade", kiosk.screen
        r = kiosk.send(action=answer)
        assert r.status_code == 200, r.json
    return kiosk.screen


def level(kiosk: Kiosk) -> str | None:
    return (kiosk.screen.get("feedback") or {}).get("level")
