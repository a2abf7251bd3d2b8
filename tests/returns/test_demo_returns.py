"""`make demo` lets a newcomer do a return as Rita (R-1003 / 3333): the demo seed's RMA,
its zones and grading trees, received through the same floor commands as a kiosk."""

from __future__ import annotations

import datetime as dt

import peewee
import pytest

from server.areas import load_settings
from server.bootstrap import build_runtime
from server.demo import seed
from server.models import Location, Product, Rma
from server.returns.demo import ORDER, RMA
from server.spine import Spine
from tests.examples.setup import floor_input, kiosk, login
from tests.sync.conftest import TESTER

pytestmark = pytest.mark.slow


@pytest.fixture
def spine(database: peewee.Database) -> Spine:
    spine = build_runtime(load_settings(env={}, demo=True)).spine
    lines = seed.seed(spine, now=dt.datetime(2030, 1, 1, 8, 0, tzinfo=dt.UTC))
    assert any(RMA in line for line in lines)
    return spine


def test_rita_receives_the_demo_return(spine: Spine) -> None:
    rma = Rma.get(Rma.rma_id == RMA)
    assert rma.order.external_id == ORDER and rma.status == "registered"
    kinds = {loc.kind for loc in Location.select()}
    assert {"returns", "quarantine", "refurbish", "scrap", "vendor"} <= kinds
    result = spine.execute(login(kiosk(spine, "HH-RITA"), "R-1003"), TESTER).result
    session = str(result["session_id"])
    home = floor_input(spine, session, action="returns")
    assert home["name"] == "returns.find"
    screen = floor_input(spine, session, scan=RMA)
    assert screen["name"] == "returns.scan_unit", screen
    skus = list(screen["target"]["expected"])
    tech = Product.get(Product.sku == skus[0])
    assert tech.category == "tech"
    barcode = tech.barcode_rows.get().barcode
    screen = floor_input(spine, session, scan=barcode)
    assert screen["prompt"] == "Is the box still sealed?", screen  # the tech tree
    screen = floor_input(spine, session, action="answer_yes")
    assert screen["name"] == "returns.put_away", screen
    screen = floor_input(spine, session, scan=screen["target"]["location"])
    assert screen["name"] == "returns.scan_unit", screen
