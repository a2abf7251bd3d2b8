"""A return at the station kiosk page of RET-01 (1280x800) in real headless Chromium, on a
live server: the parcel found by its RMA, units scanned with the keyboard wedge, the
grading questions answered with one tap each, the target location named and scanned, an
unexpected serial sent to quarantine with the screen saying why, the return closed.
Screenshots of each screen (docs/screenshots with FLOORLINK_SCREENSHOTS=1)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.fixtures.app import Api
from tests.floor.conftest import add_kiosk, add_operator
from tests.kiosk.conftest import STATION
from tests.kiosk.conftest import browser as browser
from tests.kiosk.conftest import shots as shots
from tests.packing.test_pack_browser import Station as PackStation
from tests.returns.conftest import PEN, rma

pytestmark = [pytest.mark.browser, pytest.mark.slow]


class Station(PackStation):
    def shot(self, name: str) -> None:
        expect(self.page.locator("#banner")).to_be_hidden()  # every input's ack is in
        self.page.screenshot(path=str(self.shots / f"station-returns-{name}.png"))


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=ViewportSize(**STATION))  # type: ignore[typeddict-item]
    yield context.new_page()
    context.close()


def test_a_return_graded_at_the_station(
    app: Flask,
    shipped: Callable[..., None],
    zones: Api,
    live_server: str,
    page: Page,
    shots: Path,
) -> None:
    shipped("WEB-1", {"MUG": 2, "PEN": 1}, serials={"MUG": ["SN-1", "SN-2"]})
    rma(zones, "RMA-1", "WEB-1", MUG=2, PEN=1)
    add_operator(app, "R-1003", ("returns",), "3333")
    st = Station(page, shots)
    page.goto(live_server + "/kiosk/")
    page.fill("#enroll-code", add_kiosk(app, "ST-RET-01", "station", "RET-01"))
    page.click("#enroll button")
    expect(page.locator("#prompt")).to_have_text("Scan your badge")
    st.wedge("R-1003")
    page.fill("#pin", "3333")
    page.click("#pin-submit")
    expect(page.locator("#title")).to_have_text("Hello Op R-1003")
    st.session_id = page.evaluate("JSON.parse(localStorage.getItem('floorlink.session'))")[
        "session_id"
    ]
    page.wait_for_function("window.io && document.body.dataset.screen === 'home'")
    assert st.click("returns")["name"] == "returns.find"
    st.shot("find")

    screen = st.scan("RMA-1")
    assert screen["name"] == "returns.scan_unit", screen
    expect(st.value("expected").locator("li")).to_have_text(["MUG × 2", "PEN × 1"])
    st.shot("scan-unit")

    # a mug, sealed: one tap, restocked at its pick face
    screen = st.scan("(01)04006381333931(21)SN-1")
    assert screen["name"] == "returns.grade", screen
    expect(page.locator("#prompt")).to_have_text("Is the original packaging still sealed?")
    expect(page.locator("button[data-action=answer_yes]")).to_have_text("Sealed")
    st.shot("grade")
    screen = st.click("answer_yes")
    assert screen["name"] == "returns.put_away", screen
    expect(st.value("location")).to_have_text("A-01-01-1")
    st.shot("put-away")
    assert st.scan("A-01-01-1")["name"] == "returns.scan_unit"

    # a mug whose serial never left on this order: graded, but quarantined, with the reason
    screen = st.scan("(01)04006381333931(21)SN-77")
    expect(page.locator("#feedback")).to_have_class("feedback error")
    expect(page.locator("#feedback")).to_contain_text("never shipped")
    st.shot("serial-mismatch")
    st.click("answer_no")
    st.click("answer_no")
    st.click("answer_yes")
    screen = st.click("answer_yes")
    assert screen["target"]["disposition"] == "quarantine", screen
    expect(st.value("location")).to_have_text("QUAR-01")
    expect(page.locator("#feedback")).to_contain_text("never shipped on this order")
    st.shot("quarantine")
    st.scan("QUAR-01")

    # the pen, damaged beyond repair: scrap; the return closes by itself
    st.scan(PEN)
    st.click("answer_no")
    st.click("answer_yes")
    st.click("answer_no")
    screen = st.scan("SCRAP-01")
    assert screen["name"] == "returns.done", screen
    expect(page.locator("#title")).to_have_text("Return RMA-1 is closed")
    st.shot("done")
    body = zones.get("/returns/RMA-1").json
    assert [u["disposition"] for u in body["units"]] == ["restock", "quarantine", "scrap"]
