"""The waves tile in headless Chromium: a wave released, then held and released again by
taps on the board, with the floor's API seeing the difference (a picker gets no work while
it is held)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, expect

from tests.board.test_board_browser import HttpPicker, log_in, page_of
from tests.fixtures.app import Api
from tests.floor.conftest import add_operator
from tests.kiosk.conftest import STATION
from tests.kiosk.conftest import browser as browser
from tests.kiosk.conftest import shots as shots
from tests.picking.conftest import order, post_order
from tests.picking.live import serve

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def base(app: Flask) -> Iterator[str]:
    with serve(app) as url:
        yield url


def test_a_wave_held_and_released_by_taps_on_its_tile(
    app: Flask, site: Api, base: str, browser: Browser, shots: Path
) -> None:
    post_order(site, order("WEB-1", priority=9, MUG=1))
    post_order(site, order("WEB-2", PEN=1))
    add_operator(app, "P-1", ("picker",))
    add_operator(app, "SUP", ("supervisor",))
    sup = page_of(browser, STATION)
    log_in(sup, base, "/kiosk/board", app, "ST-1", "SUP")
    expect(sup.locator("#board-status")).to_have_text("Live")
    waiting = sup.locator("#tile-queue li[data-kind=wave_waiting]")
    waiting.locator("button[data-fix=release_wave]").click()
    for key in "10":
        sup.click(f"#keypad button[data-key='{key}']")
    sup.click("#keypad-ok")
    wave = sup.locator("#tile-batches li.wave")
    expect(wave).to_have_attribute("data-status", "released")
    expect(wave).to_contain_text("0/2")

    wave.locator("button[data-fix=hold_wave]").click()
    expect(sup.locator("#board-notice")).to_contain_text("2 orders wait")
    expect(wave).to_have_attribute("data-status", "held")
    expect(wave).to_contain_text("Wave held")
    sup.screenshot(path=str(shots / "board-wave-held.png"))
    picker = HttpPicker(base, app, "P-1", "HH-1")
    assert picker.send(action="pick")["name"] == "pick.no_work"

    wave.locator("button[data-fix=release_held_wave]").click()
    expect(sup.locator("#board-notice")).to_contain_text("2 orders back to picking")
    expect(wave).to_have_attribute("data-status", "released")
    assert picker.send(action="retry")["name"] == "pick.scan_tote"
    expect(sup.locator("#tile-batches li[data-batch]")).to_contain_text("P-1")
