"""A dispatch on a handheld (390x844) in real headless Chromium, on a live server: the dock
scanned with the keyboard wedge, the closed door shown until its sensor says open (the
screen pushed over Socket.IO), packages scanned by SSCC, a cancelled order's package
refused loudly, the progress by order, a close refused for an incomplete order until a
supervisor approves the split with badge and PIN on the same handheld, the seal scanned.
Screenshots of each screen (docs/screenshots with FLOORLINK_SCREENSHOTS=1)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.dispatch.conftest import manifest_at
from tests.fixtures.app import Api
from tests.floor.conftest import add_kiosk, add_operator
from tests.kiosk.conftest import HANDHELD
from tests.kiosk.conftest import browser as browser
from tests.kiosk.conftest import shots as shots
from tests.packing.test_pack_browser import Station

pytestmark = [pytest.mark.browser, pytest.mark.slow]


class Handheld(Station):
    def shot(self, name: str) -> None:
        expect(self.page.locator("#banner")).to_be_hidden()
        self.page.screenshot(path=str(self.shots / f"handheld-dispatch-{name}.png"))


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=ViewportSize(**HANDHELD))  # type: ignore[typeddict-item]
    yield context.new_page()
    context.close()


def test_a_dispatch_on_a_handheld(
    app: Flask,
    packed: Callable[..., list[str]],
    door: Callable[..., None],
    docks: Api,
    live_server: str,
    page: Page,
    shots: Path,
) -> None:
    one = packed("WEB-1", [{"MUG": 1}, {"PEN": 1}], MUG=1, PEN=1)
    (two,) = packed("WEB-2", PEN=2)
    (gone,) = packed("WEB-3", PEN=1)
    assert docks.post("/orders/WEB-3/cancel", {"reason": "customer"}).status_code == 200
    manifest_at(docks, trailer="B-FL-2040")
    door(False)
    add_operator(app, "D-1004", ("dispatcher",), "4444")
    add_operator(app, "S-1005", ("supervisor",), "5555")
    hh = Handheld(page, shots)
    page.goto(live_server + "/kiosk/")
    page.fill("#enroll-code", add_kiosk(app, "HH-DOCK", "handheld"))
    page.click("#enroll button")
    expect(page.locator("#prompt")).to_have_text("Scan your badge")
    hh.wedge("D-1004")
    page.fill("#pin", "4444")
    page.click("#pin-submit")
    expect(page.locator("#title")).to_have_text("Hello Op D-1004")
    hh.session_id = page.evaluate("JSON.parse(localStorage.getItem('floorlink.session'))")[
        "session_id"
    ]
    page.wait_for_function("window.io && document.body.dataset.screen === 'home'")
    assert hh.click("dispatch")["name"] == "dispatch.scan_dock"
    hh.shot("scan-dock")

    # the door is closed: the screen says so and waits
    screen = hh.scan("LDOCK-1")
    assert screen["name"] == "dispatch.door_closed", screen
    expect(hh.value("door")).to_have_text("Closed (door-dock-1)")
    hh.shot("door-closed")
    door(True)  # the sensor: pushed, no input
    expect(page.locator("body")).to_have_attribute("data-screen", "dispatch.load")
    expect(hh.value("door")).to_have_text("Open (door-dock-1)")
    hh.shows(hh.server_screen())

    # packages by SSCC; a cancelled order's package refused loudly
    hh.scan(f"(00){one[0]}")
    expect(hh.value("order")).to_have_text("WEB-1: 1 of 2 loaded")
    hh.scan(f"00{two}")
    hh.shot("load")
    screen = hh.scan(f"00{gone}")
    assert screen["feedback"]["level"] == "error", screen
    expect(page.locator("#feedback")).to_have_class("feedback error")
    hh.shot("refused")

    # progress, then a close refused: WEB-1 has a package left behind
    assert hh.click("progress")["name"] == "dispatch.progress"
    expect(hh.value("WEB-1")).to_have_text("1 of 2 loaded")
    hh.shot("progress")
    screen = hh.click("close")
    assert screen["name"] == "dispatch.close_blocked", screen
    hh.shot("close-blocked")

    # the supervisor approves the split on the dispatcher's handheld
    assert hh.click("split")["name"] == "dispatch.split_badge"
    assert hh.scan("S-1005")["name"] == "dispatch.split_pin"
    page.fill("#pin", "5555")
    screen = hh.do(lambda: page.click("#pin-submit"))
    assert screen["name"] == "dispatch.split_reason", screen
    hh.shot("split-reason")
    screen = hh.click("reason_capacity")
    assert screen["name"] == "dispatch.seal", screen
    hh.shot("seal")
    screen = hh.scan("SEAL-2040-77")
    assert screen["name"] == "dispatch.closed", screen
    expect(page.locator("#prompt")).to_have_text(
        "2 packages of 2 orders left with DHL, seal SEAL-2040-77"
    )
    hh.shot("closed")
    order = docks.get("/orders/WEB-1").json
    assert order["status"] == "dispatched" and [ln["shipped"] for ln in order["lines"]] == [1, 0]
