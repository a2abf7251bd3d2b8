"""A full pick of a two-order batch on the handheld kiosk page in real headless Chromium,
with keyboard-wedge scans; a screenshot of each picking screen (docs/screenshots with
FLOORLINK_SCREENSHOTS=1)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, ViewportSize, expect

from server.db import database as db_proxy
from server.floor import inputs
from server.models import FloorSession, ProcessedInput
from tests.fixtures.app import Api
from tests.floor.conftest import add_kiosk, add_operator
from tests.kiosk.conftest import HANDHELD, wedge_scan
from tests.kiosk.conftest import browser as browser
from tests.kiosk.conftest import shots as shots
from tests.picking.conftest import order, post_order
from tests.picking.live import Walker

pytestmark = [pytest.mark.browser, pytest.mark.slow]


class Handheld:
    def __init__(self, page: Page, shots: Path) -> None:
        self.page, self.shots = page, shots
        self.seen: set[str] = set()
        self.session_id = ""

    def wedge(self, code: str) -> None:
        wedge_scan(self.page, code)

    def inputs(self) -> int:
        with db_proxy.connection_context():
            prefix = f"floor:{self.session_id}:"
            return ProcessedInput.select().where(ProcessedInput.key.startswith(prefix)).count()

    def _keys(self) -> list[str]:
        with db_proxy.connection_context():
            return [r.key for r in ProcessedInput.select()]

    def server_screen(self) -> dict[str, Any]:
        with db_proxy.connection_context():
            return dict(FloorSession.get(FloorSession.session_id == self.session_id).screen)

    def do(self, act: Any) -> dict[str, Any]:
        """Run one input on the page; wait until the page shows the server's new screen."""
        before = self.inputs()
        act()
        assert _wait(lambda: self.inputs() > before), (self.session_id, self._keys())
        screen = self.server_screen()
        expect(self.page.locator("body")).to_have_attribute("data-screen", screen["name"])
        expect(self.page.locator("#title")).to_have_text(screen["title"])
        expect(self.page.locator("#prompt")).to_have_text(screen["prompt"])
        return screen

    def shot(self, name: str) -> None:
        if name not in self.seen:
            self.seen.add(name)
            expect(self.page.locator("#banner")).to_be_hidden()  # the input's ack is in
            self.page.screenshot(path=str(self.shots / f"handheld-{name}.png"))


def _wait(condition: Any, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=ViewportSize(**HANDHELD))  # type: ignore[typeddict-item]
    yield context.new_page()
    context.close()


def test_a_two_order_batch_picked_on_the_handheld_page(
    app: Flask, site: Api, live_server: str, page: Page, shots: Path
) -> None:
    totes = [f"TOTE-{i:04d}" for i in range(1, 3)]
    assert site.put("/totes", {"totes": [{"code": c} for c in totes]}).status_code == 200
    post_order(site, order("WEB-1", priority=9, MUG=2))
    post_order(site, order("WEB-2", PEN=1))
    add_operator(app, "B-7", ("picker",), "2468")
    h = Handheld(page, shots)
    page.goto(live_server + "/kiosk/")
    page.fill("#enroll-code", add_kiosk(app, "HH-7"))
    page.click("#enroll button")
    expect(page.locator("#prompt")).to_have_text("Scan your badge")
    h.wedge("B-7")
    page.fill("#pin", "2468")
    page.click("#pin-form button")
    expect(page.locator("#title")).to_have_text("Hello Op B-7")
    h.session_id = page.evaluate("JSON.parse(localStorage.getItem('floorlink.session'))")[
        "session_id"
    ]
    screen = h.do(lambda: page.click("button[data-action=pick]"))
    walker, scans = Walker(free=totes), 0
    while (code := walker.next_scan(screen)) is not None:
        h.shot(screen["name"].replace(".", "-").replace("_", "-"))
        if screen["name"] == "pick.scan_location" and "wrong" not in h.seen:
            h.seen.add("wrong")
            wrong = h.do(lambda: h.wedge("PACK-01"))
            assert wrong["feedback"]["level"] == "error"
            expect(page.locator("#feedback")).to_have_text(wrong["feedback"]["message"])
            h.shot("pick-wrong-location")
            h.do(lambda: page.click("button[data-action=short]"))
            h.shot("pick-short-reason")
            h.do(lambda: page.click("button[data-action=back]"))
        screen = h.do(lambda c=code: h.wedge(c))
        assert (screen.get("feedback") or {}).get("level") != "error", screen
        scans += 1
    assert screen["name"] == "pick.done" and scans == 10
    h.shot("pick-done")
    expect(page.locator("button[data-action=next]")).to_be_visible()


def test_a_large_quantity_keyed_on_the_handheld_keypad(
    app: Flask, site: Api, live_server: str, page: Page, shots: Path
) -> None:
    # a 2-character tote label is a scan too when it comes as a burst ending in Enter
    assert site.put("/totes", {"totes": [{"code": "T1"}]}).status_code == 200
    post_order(site, order("WEB-9", MUG=8))
    add_operator(app, "B-8", ("picker",), "1357")
    h = Handheld(page, shots)
    page.goto(live_server + "/kiosk/")
    page.fill("#enroll-code", add_kiosk(app, "HH-8"))
    page.click("#enroll button")
    expect(page.locator("#prompt")).to_have_text("Scan your badge")
    h.wedge("B-8")
    page.fill("#pin", "1357")
    page.click("#pin-form button")
    expect(page.locator("#title")).to_have_text("Hello Op B-8")
    h.session_id = page.evaluate("JSON.parse(localStorage.getItem('floorlink.session'))")[
        "session_id"
    ]
    assert h.do(lambda: page.click("button[data-action=pick]"))["name"] == "pick.scan_tote"
    assert h.do(lambda: h.wedge("T1"))["name"] == "pick.scan_location"
    assert h.do(lambda: h.wedge("A-01-01-1"))["name"] == "pick.scan_product"
    screen = h.do(lambda: h.wedge("4006381333931"))
    assert screen["name"] == "pick.quantity" and screen["target"]["counted"] == 1
    expect(page.locator("#target dt").nth(1)).to_have_text("SKU")

    keypad = page.locator("#keypad")
    expect(keypad).to_be_hidden()
    page.click("button[data-action=key_qty]")
    expect(keypad).to_be_visible()
    expect(page.locator("#keypad-label")).to_have_text("How many in total?")
    expect(page.locator("#keypad-range")).to_have_text("From 1 to 8")
    expect(page.locator("#keypad-title")).to_have_text("Key quantity · MUG: 1 of 8")
    # the same screen pushed again (a refresh) leaves the keypad and the digits keyed
    page.click("#keypad-keys [data-key='7']")
    expect(page.locator("#feedback")).to_have_text("1 of 8 counted")
    with app.app_context():
        inputs.refresh(app.extensions["floorlink"].spine, [h.session_id])
    expect(page.locator("#feedback")).to_be_hidden()  # the push is in: it has no feedback
    expect(keypad).to_be_visible()
    expect(page.locator("#keypad-value")).to_have_value("7")
    page.click("#keypad-keys [data-key='clear']")
    for key in "90":  # over what is left: refused on the page, nothing sent
        page.click(f"#keypad-keys [data-key='{key}']")
    expect(page.locator("#keypad-value")).to_have_value("90")
    before = h.inputs()
    page.click("#keypad-ok")
    expect(page.locator("#keypad-error")).to_have_text("Key a whole number from 1 to 8")
    assert h.inputs() == before
    page.click("#keypad-keys [data-key='clear']")
    page.click("#keypad-keys [data-key='8']")
    expect(page.locator("#keypad-value")).to_have_value("8")
    h.shot("pick-key-quantity")
    screen = h.do(lambda: page.click("#keypad-ok"))
    expect(keypad).to_be_hidden()
    assert screen["name"] == "pick.scan_tote_put", screen
    assert screen["target"]["qty"] == 8
    assert screen["feedback"] == {"level": "ok", "message": "8 of 8 counted"}
    assert h.do(lambda: h.wedge("T1"))["name"] == "pick.scan_drop"


def test_keys_typed_at_human_speed_are_not_a_scan(app: Flask, live_server: str, page: Page) -> None:
    add_operator(app, "B-9", ("picker",), "1357")
    page.goto(live_server + "/kiosk/")
    page.fill("#enroll-code", add_kiosk(app, "HH-9"))
    page.click("#enroll button")
    expect(page.locator("#prompt")).to_have_text("Scan your badge")
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.type("B-9", delay=90)  # a quick typist: still no scan
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)
    expect(page.locator("#pin")).to_be_hidden()
    page.keyboard.press("B")  # a single key and Enter, however fast: no scan either
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)
    expect(page.locator("#pin")).to_be_hidden()
    # the manual-entry field still takes a code typed at any speed
    page.click("#manual summary")
    page.fill("#manual-code", "B-9")
    page.press("#manual-code", "Enter")
    expect(page.locator("#pin")).to_be_visible()
