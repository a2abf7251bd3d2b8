"""The demo's return zone, for `floorlink demo` (docs/returns.md, "Demo"): the locations of
each disposition, the grading trees (tech, apparel, food, and the general default), a
station kiosk at RET-01, and an order with an RMA for Rita (R-1003 / 3333) to receive.

Seeded through the same commands and request schemas as the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from server.catalog.handlers import UpsertLocations
from server.floor.kiosks import AddKiosk
from server.models import Product
from server.operations import Strict
from server.orders.handlers import AcceptOrder
from server.orders.holds import HoldOrder
from server.returns.grading import DEFAULT_TREE, GradingIn
from server.returns.handlers import RegisterReturn
from server.returns.store import ReplaceGrading
from server.spine import Actor, Spine

DEMO = Actor("system", "demo-seed")
ZONES: list[dict[str, Any]] = [
    {"code": "QUAR-02", "zone": "R", "kind": "quarantine", "walk_sequence": 9201},
    {"code": "REFURB-01", "zone": "R", "kind": "refurbish", "walk_sequence": 9210},
    {"code": "SCRAP-01", "zone": "R", "kind": "scrap", "walk_sequence": 9220},
    {"code": "RTV-01", "zone": "R", "kind": "vendor", "walk_sequence": 9230},
]
ORDER, RMA = "WEB-RET-1", "RMA-DEMO-1"


def _q(id_: str, text: str, *answers: tuple[str, str, dict[str, Any]]) -> dict[str, Any]:
    return {"id": id_, "text": text,
            "answers": [{"id": a, "label": label, "then": then} for a, label, then in answers]}  # fmt: skip


def _out(grade: str, disposition: str) -> dict[str, Any]:
    return {"grade": grade, "disposition": disposition}


TECH = {"id": "tech", "categories": ["tech"], "root": _q(
    "sealed", "Is the box still sealed?",
    ("yes", "Sealed", _out("A", "restock")),
    ("no", "Opened", _q(
        "powers_on", "Does it power on and work?",
        ("no", "Dead or faulty", _out("D", "return_to_vendor")),
        ("yes", "Works", _q(
            "complete", "Cables, manual and accessories all there?",
            ("no", "Parts missing", _out("C", "refurbish")),
            ("yes", "Complete", _q(
                "cosmetic", "Any scratches or marks?",
                ("no", "Like new", _out("B", "restock")),
                ("yes", "Marked", _out("C", "refurbish")),
            )),
        )),
    )),
)}  # fmt: skip
APPAREL = {"id": "apparel", "categories": ["apparel"], "root": _q(
    "tags", "Are the tags still on?",
    ("yes", "Tags on", _q(
        "worn", "Worn, washed or smelling of anything?",
        ("no", "Unworn", _out("A", "restock")),
        ("yes", "Worn", _out("C", "refurbish")),
    )),
    ("no", "Tags off", _q(
        "stained", "Stained, torn or damaged?",
        ("no", "Clean", _out("B", "refurbish")),
        ("yes", "Damaged", _out("D", "scrap")),
    )),
)}  # fmt: skip
FOOD = {"id": "food", "categories": ["food", "cosmetics"], "root": _q(
    "sealed", "Is the seal intact?",
    ("yes", "Sealed", _q(
        "packaging", "Is the packaging clean and undamaged?",
        ("yes", "Clean", _out("A", "restock")),
        ("no", "Damaged", _out("D", "scrap")),
    )),
    ("no", "Opened", _out("D", "scrap")),
)}  # fmt: skip
TREES = [TECH, APPAREL, FOOD, DEFAULT_TREE]


class _Zones(Strict):
    locations: list[dict[str, Any]]


def seed(spine: Spine) -> list[str]:
    trees = GradingIn.model_validate({"trees": TREES})
    spine.execute(ReplaceGrading([t.model_dump() for t in trees.trees]), DEMO)
    spine.execute(UpsertLocations(ZONES), DEMO)
    kiosk = spine.execute(AddKiosk("STATION-RET-01", "station", "RET-01", 86_400.0), DEMO).result
    sku_a, sku_b = _demo_skus()
    spine.execute(AcceptOrder(_order(sku_a, sku_b)), DEMO)
    # Its units left before the demo began: held, so that nobody picks it again.
    spine.execute(HoldOrder(ORDER, "demo: shipped before the demo began, coming back"), DEMO)
    spine.execute(RegisterReturn({"rma_id": RMA, "order_external_id": ORDER, "lines": [
        {"sku": sku_a, "qty": 1, "reason": "arrived scratched"},
        {"sku": sku_b, "qty": 2, "reason": "wrong size"},
    ]}), DEMO)  # fmt: skip
    return [
        f"Returns: RMA {RMA} of order {ORDER} ({sku_a} x1, {sku_b} x2) waits at RET-01;",
        f"  log in as R-1003 / 3333 on STATION-RET-01 ({kiosk['enrollment_code']}) "
        f"or HANDHELD-1, choose Returns, scan {RMA}",
        "  grading trees: tech, apparel, food (and cosmetics), general (default)",
    ]


def _demo_skus() -> tuple[str, str]:
    """A tech product and an apparel one of the demo site."""
    tech = Product.select().where(Product.category == "tech").order_by(Product.id).first()
    wear = Product.select().where(Product.category == "apparel").order_by(Product.id).first()
    assert tech is not None and wear is not None, "the demo site has tech and apparel"
    return tech.sku, wear.sku


def _order(sku_a: str, sku_b: str) -> dict[str, Any]:
    return {
        "external_id": ORDER, "channel": "web", "priority": 0,
        "ship_by": dt.datetime(2026, 1, 1), "carrier": "DHL", "service": "standard",
        "ship_to": {"name": "Returning Customer", "line1": "1 Main Street", "city": "Utrecht",
                    "postal_code": "3511AB", "country": "NL"},
        "lines": [{"line_id": "1", "sku": sku_a, "qty": 1}, {"line_id": "2", "sku": sku_b, "qty": 2}],
    }  # fmt: skip
