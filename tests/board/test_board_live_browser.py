"""The board in headless Chromium against exceptions raised by other clients: a webhook
dead-lettered by the relay, and a temperature excursion sent by a probe over a real
Mosquitto. Each appears on the board within a second of its commit, and a tap on its fix
resolves it and changes the floor (the event delivered again; the stock released)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from server.db import database as db_proxy
from server.models import SupervisorException
from server.models.sync import ExceptionStatus
from server.sync.relay import Relay
from server.sync.schedule import SCHEDULE_S
from tests.board.test_board_browser import log_in, page_of
from tests.coldchain.conftest import ColdFloor
from tests.coldchain.conftest import cold_floor as cold_floor
from tests.fixtures.app import Api
from tests.fixtures.mosquitto import mosquitto, mosquitto_session  # noqa: F401
from tests.floor.conftest import add_operator
from tests.kiosk.conftest import STATION
from tests.kiosk.conftest import browser as browser
from tests.kiosk.conftest import shots as shots
from tests.picking.conftest import order, post_order
from tests.picking.live import serve
from tests.sync.conftest import FakeClock, add_endpoint
from tests.sync.receiver import Receiver

pytestmark = [pytest.mark.browser, pytest.mark.slow]
WITHIN_S = 1.0


def committed(kind: str, timeout: float = 30.0) -> tuple[str, float]:
    """Wait for an open exception of `kind`; its id and when it was seen committed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with db_proxy.connection_context():
            row = (
                SupervisorException.select()
                .where(
                    SupervisorException.kind == kind,
                    SupervisorException.status == ExceptionStatus.OPEN,
                )
                .first()
            )
        if row is not None:
            return row.exception_id, time.monotonic()
        time.sleep(0.01)
    raise AssertionError(f"no {kind} exception")


def on_board_within(page: Page, item_id: str, since: float) -> Any:
    item = page.locator(f"#tile-queue li[data-item='{item_id}']")
    expect(item).to_be_visible(timeout=WITHIN_S * 1000)
    assert time.monotonic() - since <= WITHIN_S + 0.1, time.monotonic() - since
    return item


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver().start()
    yield r
    r.stop()


def test_a_dead_letter_appears_and_is_replayed_from_the_board(
    app: Flask, site: Api, browser: Browser, shots: Path, receiver: Receiver
) -> None:
    spine = app.extensions["floorlink"].spine
    with db_proxy.connection_context():
        add_endpoint(spine, receiver, ["order.*"])
    clock = FakeClock()
    relay = Relay(spine, timeout_s=2.0, batch_size=50, clock=clock, rand=lambda: 0.5)
    add_operator(app, "SUP", ("supervisor",))
    with serve(app) as base:
        sup = page_of(browser, STATION)
        log_in(sup, base, "/kiosk/board", app, "ST-1", "SUP")
        expect(sup.locator("#board-status")).to_have_text("Live")
        receiver.script = lambda _r: 500
        post_order(site, order("WEB-DL", MUG=1))
        with db_proxy.connection_context():
            relay.drain()
            for delay in SCHEDULE_S:  # the relay's retries, on its clock
                clock.advance(delay * 1.3)
                relay.drain()
        exc_id, at = committed("webhook.dead_letter")
        item = on_board_within(sup, exc_id, at)
        expect(item.locator(".message")).to_contain_text("could not be delivered")
        expect(sup.locator("#tile-sync li").first).to_contain_text("1 dead")
        sup.screenshot(path=str(shots / "board-dead-letter.png"))

        receiver.script = lambda _r: 200
        item.locator("button[data-fix=replay]").click()
        expect(sup.locator("#board-notice")).to_contain_text("replayed")
        expect(sup.locator(f"#tile-queue li[data-item='{exc_id}']")).to_have_count(0)
        with db_proxy.connection_context():
            relay.drain()
            row = SupervisorException.get(SupervisorException.exception_id == exc_id)
        assert row.status == "resolved" and row.resolved_by == "operator:SUP"
        assert receiver.accepted_ids(), "the replayed event was delivered"
    relay.sender.close()


def test_a_probe_excursion_over_mqtt_appears_and_its_stock_is_released_from_the_board(
    cold_floor: ColdFloor, browser: Browser, shots: Path
) -> None:
    f = cold_floor
    add_operator(f.app, "SUP", ("supervisor",))
    sup = page_of(browser, STATION)
    log_in(sup, f.base, "/kiosk/board", f.app, "ST-2", "SUP")
    expect(sup.locator("#board-status")).to_have_text("Live")
    f.celsius(4.0)
    expect(sup.locator("#tile-devices li[data-device=probe-F1]")).to_contain_text("4.0 °C")
    f.celsius(11.5)
    exc_id, at = committed("temperature_excursion")
    item = on_board_within(sup, exc_id, at)
    expect(item.locator(".message")).to_contain_text("11.5 °C")
    held = sup.locator("#tile-queue li[data-kind=stock_held]")
    expect(held).to_be_visible()
    sup.screenshot(path=str(shots / "board-temperature-excursion.png"))

    f.celsius(5.0)  # back in range: the excursion goes, the hold stays
    expect(sup.locator(f"#tile-queue li[data-item='{exc_id}']")).to_have_count(0)
    expect(held).to_be_visible()
    held.locator("button[data-fix=release]").click()
    expect(sup.locator("#board-chooser")).to_be_visible()
    sup.click("#board-options button[data-value='Checked on the floor: all in order']")
    expect(sup.locator("#board-notice")).to_contain_text("released")
    expect(held).to_have_count(0)
    rows = f.oms.get("/stock", params={"sku": "MUG"}).json["data"]
    assert next(r for r in rows if r["location"] == "F-01")["held"] is False
    f.wait_event("inventory.released", "the release", location="F-01")
