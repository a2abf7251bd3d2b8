"""The kiosk page in real Chromium: enroll, log in, lockout, wedge scans, offline queue,
logout on role change, and a station pushed to its PIN screen by a serial badge scan."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import peewee
import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from server.db import database as db_proxy
from server.floor import inputs
from server.floor.stations import feed_station_scan
from server.models import ProcessedInput
from tests.floor.conftest import add_kiosk, add_operator
from tests.kiosk.conftest import HANDHELD, STATION, wedge_scan

pytestmark = pytest.mark.browser


class KioskPage:
    def __init__(self, page: Page, base: str, shots: Path, size: str) -> None:
        self.page, self.base, self.shots, self.size = page, base, shots, size

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(self.shots / f"{self.size}-{name}.png"))

    def enroll(self, code: str) -> None:
        self.page.goto(self.base + "/kiosk/")
        expect(self.page.locator("#enroll")).to_be_visible()
        self.page.fill("#enroll-code", code)
        self.shot("enroll")
        self.page.click("#enroll button")
        expect(self.page.locator("#prompt")).to_have_text("Scan your badge")

    def wedge(self, code: str) -> None:
        wedge_scan(self.page, code)

    def login(self, badge: str, pin: str) -> None:
        self.wedge(badge)
        expect(self.page.locator("#pin")).to_be_visible()
        self.page.fill("#pin", pin)
        self.page.click("#pin-form button")

    def feedback(self) -> Any:
        return self.page.locator("#feedback")


@pytest.fixture
def kiosk(browser: Browser, live_server: str, shots: Path) -> Iterator[Any]:
    contexts = []

    def open_page(size: str = "handheld") -> KioskPage:
        context = browser.new_context(viewport=HANDHELD if size == "handheld" else STATION)
        contexts.append(context)
        return KioskPage(context.new_page(), live_server, shots, size)

    yield open_page
    for context in contexts:
        context.close()


def test_enroll_login_and_wedge_scan(app: Flask, kiosk: Any) -> None:
    add_operator(app, "B-1", ("picker", "supervisor"), "2468")
    k = kiosk()
    k.enroll(add_kiosk(app, "HH-1"))
    k.shot("login-badge")
    k.wedge("B-1")
    expect(k.page.locator("#pin")).to_be_visible()
    k.shot("login-pin")
    k.page.fill("#pin", "2468")
    k.page.click("#pin-form button")
    expect(k.page.locator("#title")).to_have_text("Hello Op B-1")
    expect(k.page.locator("button[data-action=logout]")).to_be_visible()
    k.shot("home")
    k.wedge("4006381333932")  # bad check digit: an error screen, nothing else happens
    expect(k.feedback()).to_have_class("feedback error")
    k.shot("scan-error")
    k.wedge("4006381333931")
    expect(k.feedback()).to_have_text("Choose your work first")
    k.page.click("button[data-action=logout]")
    expect(k.page.locator("#prompt")).to_have_text("Scan your badge")
    expect(k.feedback()).to_have_text("You are logged out")


def test_five_wrong_pins_lock_the_badge(app: Flask, kiosk: Any) -> None:
    add_operator(app, "B-2", ("picker",), "1357")
    k = kiosk()
    k.enroll(add_kiosk(app, "HH-2"))
    for _ in range(4):
        k.login("B-2", "0000")
        expect(k.feedback()).to_have_text("badge or PIN not accepted")
        k.page.click("button[data-action=cancel]")
    k.login("B-2", "0000")
    expect(k.feedback()).to_contain_text("locked")
    k.shot("locked")
    k.login("B-2", "1357")
    expect(k.feedback()).to_contain_text("locked")


def _inputs_of(session_prefix: str) -> int:
    with db_proxy.connection_context():
        return ProcessedInput.select().where(ProcessedInput.key.startswith(session_prefix)).count()


def test_offline_inputs_are_queued_and_replayed_once(app: Flask, kiosk: Any) -> None:
    add_operator(app, "B-3", ("packer",), "1122")
    k = kiosk()
    k.enroll(add_kiosk(app, "HH-3"))
    k.login("B-3", "1122")
    expect(k.page.locator("#title")).to_have_text("Hello Op B-3")
    expect(k.page.locator("#banner")).to_be_hidden()
    session = k.page.evaluate("JSON.parse(localStorage.getItem('floorlink.session'))")
    k.page.context.set_offline(True)
    expect(k.page.locator("#banner")).to_have_text("Offline, 0 queued")
    for code in ("4006381333931", "ABC-1", "ABC-2"):
        k.wedge(code)
    expect(k.page.locator("#banner")).to_have_text("Offline, 3 queued")
    k.shot("offline")
    assert _inputs_of(f"floor:{session['session_id']}:") == 0
    k.page.context.set_offline(False)
    expect(k.page.locator("#banner")).to_be_hidden(timeout=15_000)
    assert _inputs_of(f"floor:{session['session_id']}:") == 3
    k.page.reload()
    expect(k.page.locator("#title")).to_have_text("Hello Op B-3")
    assert _inputs_of(f"floor:{session['session_id']}:") == 3


def test_without_a_socket_the_queue_goes_over_http_once(app: Flask, kiosk: Any) -> None:
    """A network that lets no Socket.IO through: inputs still reach the server, over HTTP,
    each once (queued offline first, then sent when the browser is back online)."""
    add_operator(app, "B-4", ("packer",), "1122")
    k = kiosk()
    k.page.context.route("**/socket.io/**", lambda route: route.abort())
    posted: list[str] = []
    answered = "requestfinished"  # reached the server and answered (not failed offline)
    k.page.on(answered, lambda r: posted.append(r.url) if r.url.endswith("/inputs") else None)
    k.enroll(add_kiosk(app, "HH-4"))
    k.login("B-4", "1122")
    expect(k.page.locator("#title")).to_have_text("Hello Op B-4")
    session = k.page.evaluate("JSON.parse(localStorage.getItem('floorlink.session'))")
    prefix = f"floor:{session['session_id']}:"
    k.wedge("4006381333931")
    expect(k.feedback()).to_contain_text("Choose your work first")
    assert _inputs_of(prefix) == 1
    k.page.context.set_offline(True)
    expect(k.page.locator("#banner")).to_have_text("Offline, 0 queued")
    for code in ("ABC-1", "ABC-2"):
        k.wedge(code)
    expect(k.page.locator("#banner")).to_have_text("Offline, 2 queued")
    k.page.context.set_offline(False)
    expect(k.page.locator("#banner")).to_be_hidden(timeout=15_000)
    assert _inputs_of(prefix) == 3
    assert len(posted) == 3  # over HTTP, each once
    k.page.reload()
    expect(k.page.locator("#title")).to_have_text("Hello Op B-4")
    assert _inputs_of(prefix) == 3


def test_an_input_the_server_could_not_take_stays_queued_and_goes_again(
    app: Flask, kiosk: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The socket's ack is a 503 (the database refused the connection: nothing applied):
    the kiosk keeps the input queued, says so, and sends it again until it is taken, once."""
    add_operator(app, "B-5", ("packer",), "1122")
    k = kiosk()
    k.enroll(add_kiosk(app, "HH-5"))
    k.login("B-5", "1122")
    expect(k.page.locator("#title")).to_have_text("Hello Op B-5")
    k.page.wait_for_function("window.io && document.body.dataset.screen === 'home'")
    session = k.page.evaluate("JSON.parse(localStorage.getItem('floorlink.session'))")
    prefix = f"floor:{session['session_id']}:"
    refused = {"count": 0, "on": True}
    real = inputs.submit_from_kiosk

    def submit(*args: Any) -> Any:
        if refused["on"]:
            refused["count"] += 1
            raise peewee.OperationalError("FATAL:  sorry, too many clients already")
        return real(*args)

    monkeypatch.setattr(inputs, "submit_from_kiosk", submit)
    k.wedge("4006381333931")
    expect(k.page.locator("#banner")).to_have_text("Sending, 1 queued")
    deadline = time.monotonic() + 10
    while refused["count"] < 2:  # sent again, not dropped
        assert time.monotonic() < deadline, "the kiosk did not send the input again"
        time.sleep(0.1)
    assert _inputs_of(prefix) == 0
    refused["on"] = False
    expect(k.page.locator("#banner")).to_be_hidden(timeout=10_000)
    expect(k.feedback()).to_contain_text("Choose your work first")
    assert _inputs_of(prefix) == 1


def test_role_change_logs_out_the_open_page(app: Flask, kiosk: Any, admin_api: Any) -> None:
    add_operator(app, "B-4", ("picker",), "4321")
    k = kiosk("station")
    k.enroll(add_kiosk(app, "ST-1", "station", "PACK-01"))
    k.shot("login-badge")
    k.login("B-4", "4321")
    expect(k.page.locator("#title")).to_have_text("Hello Op B-4")
    k.shot("home")
    k.page.wait_for_function("window.io && document.body.dataset.screen === 'home'")
    r = admin_api.client.patch(
        "/api/v1/operators/B-4",
        json={"roles": ["packer"]},
        headers={"Authorization": f"Bearer {admin_api.key}"},
    )
    assert r.status_code == 200
    expect(k.feedback()).to_have_text("Your roles changed: log in again", timeout=10_000)
    k.shot("logged-out")


def test_station_badge_scan_pushes_the_pin_screen(app: Flask, kiosk: Any) -> None:
    add_operator(app, "B-5", ("picker",), "5555")
    k = kiosk("station")
    k.enroll(add_kiosk(app, "ST-2", "station", "PACK-02"))
    k.page.wait_for_timeout(500)  # the device socket joins its room
    spine = app.extensions["floorlink"].spine
    with app.app_context():
        feed_station_scan(spine, "PACK-02", "B-5", "serial:1", "serial:SC-1")
    expect(k.page.locator("#pin")).to_be_visible(timeout=10_000)
    k.shot("login-pin")
    k.page.fill("#pin", "5555")
    k.page.click("#pin-form button")
    expect(k.page.locator("#title")).to_have_text("Hello Op B-5")
