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
from server.models import FloorSession, ProcessedInput
from tests.fixtures.app import Api
from tests.floor.conftest import add_kiosk, add_operator
from tests.kiosk.conftest import HANDHELD
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
        self.page.locator("body").click(position={"x": 5, "y": 5})
        self.page.keyboard.type(code)
        self.page.keyboard.press("Enter")

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
    totes = [f"TOTE-{i:04d}" for i in range(1, 3)]  # a wedge scan has 3 characters or more
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
