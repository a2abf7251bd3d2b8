"""A two-package pack on the station kiosk page (1280x800) in real headless Chromium, on a
live server: the box suggestion taken, units scanned with the keyboard wedge, "New
package", a box barcode scanned, each package weighed by the station's scale (its readings
routed as the ingest routes them, the screen pushed over Socket.IO), the label printed by
the print service to a virtual printer and previewed on the screen, a weight mismatch
approved by a supervisor's badge and PIN, each label confirmed by scanning its SSCC.
Screenshots of each screen (docs/screenshots with FLOORLINK_SCREENSHOTS=1)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, ViewportSize, expect

from devices.virtual_printer import VirtualPrinter
from server.db import database as db_proxy
from server.models import FloorSession, ProcessedInput
from tests.fixtures.app import Api
from tests.floor.conftest import add_kiosk, add_operator
from tests.kiosk.conftest import STATION, wedge_scan
from tests.kiosk.conftest import browser as browser
from tests.kiosk.conftest import shots as shots

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MUG, PEN = "4006381333931", "96385074"
LABEL_LOADED = """() => {
  const img = document.getElementById("label-image");
  return img.src.startsWith("blob:") && img.complete && img.naturalWidth > 0;
}"""

# Whether an image URL still loads (a revoked blob: URL does not).
LOADS = """(url) => new Promise((done) => {
  const img = new Image();
  img.onload = () => done("open");
  img.onerror = () => done("revoked");
  img.src = url;
})"""


class Station:
    """The station kiosk page, and what the server says its session shows."""

    def __init__(self, page: Page, shots: Path) -> None:
        self.page, self.shots = page, shots
        self.session_id = ""

    def wedge(self, code: str) -> None:
        wedge_scan(self.page, code)

    def _inputs(self) -> int:
        with db_proxy.connection_context():
            prefix = f"floor:{self.session_id}:"
            return ProcessedInput.select().where(ProcessedInput.key.startswith(prefix)).count()

    def server_screen(self) -> dict[str, Any]:
        with db_proxy.connection_context():
            return dict(FloorSession.get(FloorSession.session_id == self.session_id).screen)

    def shows(self, screen: dict[str, Any], feedback: bool = True) -> dict[str, Any]:
        """Wait until the page shows the server's screen (an answer or a push). Without
        `feedback` its feedback is not compared: the print service's push of the printer's
        state may replace it by then."""
        page = self.page
        expect(page.locator("body")).to_have_attribute("data-screen", screen["name"])
        expect(page.locator("#title")).to_have_text(screen["title"])
        expect(page.locator("#prompt")).to_have_text(screen["prompt"])
        if not feedback:
            return screen
        if screen.get("feedback"):
            expect(page.locator("#feedback")).to_have_text(screen["feedback"]["message"])
        else:
            expect(page.locator("#feedback")).to_be_hidden()
        return screen

    def do(self, act: Callable[[], Any], feedback: bool = True) -> dict[str, Any]:
        """One input on the page; the new screen once the page shows it."""
        before = self._inputs()
        act()
        assert _wait(lambda: self._inputs() > before), self.session_id
        return self.shows(self.server_screen(), feedback)

    def click(self, action: str) -> dict[str, Any]:
        return self.do(lambda: self.page.click(f"button[data-action={action}]"))

    def scan(self, code: str) -> dict[str, Any]:
        return self.do(lambda: self.wedge(code))

    def value(self, key: str) -> Any:
        """The target's value for `key` as shown (its <dd>)."""
        return self.page.locator(f"#target dd[data-key={key}]")

    def shot(self, name: str) -> None:
        expect(self.page.locator("#banner")).to_be_hidden()  # every input's ack is in
        self.page.screenshot(path=str(self.shots / f"station-pack-{name}.png"))


def _wait(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=ViewportSize(**STATION))  # type: ignore[typeddict-item]
    yield context.new_page()
    context.close()


@pytest.fixture
def printing(app: Flask) -> Iterator[None]:
    """The label printing service, as `floorlink serve` runs it: woken after commit."""
    service = app.extensions["floorlink"].parts["packing.printing"]
    service.start()
    yield
    service.stop()


def test_a_two_package_pack_at_the_station(
    app: Flask,
    site: Api,
    picked: Callable[..., str],
    scale: Callable[..., None],
    printer: VirtualPrinter,
    printing: None,
    live_server: str,
    page: Page,
    shots: Path,
) -> None:
    picked("WEB-1", MUG=2, PEN=1)
    add_operator(app, "K1", ("packer",), "2468")
    add_operator(app, "S1", ("supervisor",), "0714")
    st = Station(page, shots)
    page.goto(live_server + "/kiosk/")
    page.fill("#enroll-code", add_kiosk(app, "ST-PACK-01", "station", "PACK-01"))
    page.click("#enroll button")
    expect(page.locator("#prompt")).to_have_text("Scan your badge")
    st.wedge("K1")
    page.fill("#pin", "2468")
    page.click("#pin-submit")
    expect(page.locator("#title")).to_have_text("Hello Op K1")
    st.session_id = page.evaluate("JSON.parse(localStorage.getItem('floorlink.session'))")[
        "session_id"
    ]
    page.wait_for_function("window.io && document.body.dataset.screen === 'home'")
    assert st.click("pack")["name"] == "pack.scan_tote"

    # the order, and the box the cartonization suggests: M holds two mugs and a pen
    screen = st.scan("T1")
    assert screen["name"] == "pack.box" and screen["target"]["box"] == "M", screen
    expect(st.value("box")).to_have_text("M")
    expect(st.value("units")).to_have_text("3")
    expect(page.locator("button[data-action=take_box]")).to_have_text("Take M")
    st.shot("box")

    # package 1: the suggested box, two mugs scanned into it
    assert st.click("take_box")["name"] == "pack.verify"
    st.scan(MUG)
    expect(st.value("left").locator("li")).to_have_text(["MUG × 1", "PEN × 1"])
    expect(st.value("in_package").locator("li")).to_have_text(["MUG × 1"])
    st.shot("verify")
    st.scan(MUG)
    expect(st.value("in_package").locator("li")).to_have_text(["MUG × 2"])
    screen = st.click("new_package")
    assert screen["name"] == "pack.box" and screen["title"].endswith("package 2"), screen

    # package 2: a box scanned by its barcode, the pen in it; every unit is packed
    assert st.scan("BOX-S")["name"] == "pack.verify"
    expect(st.value("in_package")).to_have_text("none")
    screen = st.scan(PEN)
    assert screen["name"] == "pack.weigh" and screen["target"]["expected_g"] == 880, screen

    # weigh package 1: the live reading shows while it settles; the stable one counts
    expect(st.value("expected_g")).to_have_text("880 g")
    expect(st.value("scale")).to_have_text("0 g (stable)")
    scale(873.0, False)
    st.shows(st.server_screen())
    expect(st.value("scale")).to_have_text("873 g (live)")
    st.shot("weigh")
    scale(884.0)
    screen = st.shows(st.server_screen(), feedback=False)
    assert screen["name"] == "pack.label", screen
    sscc_1 = screen["target"]["sscc"]
    expect(st.value("sscc")).to_have_text(sscc_1)
    expect(st.value("carrier")).to_have_text("DHL Paket")
    expect(page.locator("#target dt", has_text="Label")).to_have_count(0)  # an image, not text
    expect(st.value("label")).to_have_count(0)
    page.wait_for_function(LABEL_LOADED)
    expect(page.locator("#label-preview")).to_be_visible()
    assert page.evaluate("document.getElementById('label-image').naturalWidth") == 812
    expect(st.value("printer")).to_have_text("printed", timeout=10_000)  # pushed by printing
    assert sscc_1 in printer.wait_for_labels(1, timeout=10)[0].data.decode()
    st.shot("label")
    blob_1 = page.evaluate("document.getElementById('label-image').src")

    # confirm label 1; package 2 is too heavy: blocked until a supervisor approves
    screen = st.scan(f"00{sscc_1}")
    assert screen["name"] == "pack.weigh" and screen["title"].endswith("package 2 of 2"), screen
    expect(page.locator("#label-preview")).to_be_hidden()
    assert page.evaluate(LOADS, blob_1) == "revoked"
    scale(0.0)  # package 1 taken off
    scale(148.0)
    screen = st.shows(st.server_screen())
    assert screen["name"] == "pack.weight_mismatch", screen
    expect(page.locator("#feedback")).to_have_class("feedback error")
    expect(page.locator("#feedback")).to_contain_text("48 g too heavy")
    expect(st.value("scale")).to_have_text("148 g (stable)")
    st.shot("mismatch")
    assert st.click("override")["name"] == "pack.override_badge"
    screen = st.scan("S1")
    assert screen["name"] == "pack.override_pin", screen
    expect(page.locator("#pin")).to_be_focused()
    expect(page.locator("#pin-submit")).to_have_text("OK")
    page.fill("#pin", "0714")  # a PIN with a leading zero: sent as a string
    st.shot("override-pin")
    scale(149.0)  # the package settles: the same screen pushed again keeps the PIN typed
    expect(page.locator("#feedback")).to_be_hidden()
    expect(page.locator("#pin")).to_have_value("0714")
    screen = st.do(lambda: page.click("#pin-submit"))
    assert screen["name"] == "pack.override_reason", screen
    assert page.evaluate("localStorage.getItem('floorlink.queue')") == "[]"  # never stored
    screen = st.do(lambda: page.click("button[data-action=reason_packaging]"), feedback=False)
    assert screen["name"] == "pack.label", screen
    sscc_2 = screen["target"]["sscc"]
    page.wait_for_function(LABEL_LOADED)
    expect(st.value("printer")).to_have_text("printed", timeout=10_000)

    screen = st.scan(f"00{sscc_2}")
    assert screen["name"] == "pack.done", screen
    expect(page.locator("#title")).to_have_text("Order WEB-1 is packed")
    expect(page.locator("#prompt")).to_have_text("2 packages ready for dispatch")
    expect(page.locator("button[data-action=next]")).to_be_visible()
    st.shot("done")

    body = site.get("/orders/WEB-1").json
    assert body["status"] == "packed"
    packages = {p["sscc"]: p for p in body["packages"]}
    assert packages[sscc_1]["box"] == "M" and packages[sscc_1]["weight_g"] == 884
    assert packages[sscc_2]["box"] == "S" and packages[sscc_2]["weight_source"] == "override"
