"""Real headless Chromium (Debian's /usr/bin/chromium) driving the kiosk on a live server."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HANDHELD = {"width": 390, "height": 844}
STATION = {"width": 1280, "height": 800}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not os.path.exists(CHROMIUM):
        pytest.fail("chromium is not installed: apt-get install -y chromium")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where screenshots go: docs/screenshots with FLOORLINK_SCREENSHOTS=1, else tmp."""
    if os.environ.get("FLOORLINK_SCREENSHOTS"):
        out = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
        out.mkdir(parents=True, exist_ok=True)
        return out
    return tmp_path


def wedge_scan(page: Page, code: str, gap_ms: float = 5.0) -> None:
    """A keyboard-wedge scanner: the code's keys then Enter, `gap_ms` apart.

    The keys go through Chromium's input pipeline (CDP) with their hardware timestamps set,
    so the page sees `event.timeStamp` gaps of `gap_ms` however slowly a loaded test machine
    delivers them, as with a real scanner whose events queue up behind a busy page.
    """
    page.locator("body").click(position={"x": 5, "y": 5})
    cdp = page.context.new_cdp_session(page)
    try:
        start = time.time()
        for i, key in enumerate([*code, "Enter"]):
            at = start + i * gap_ms / 1000
            down: dict[str, object] = {"type": "keyDown", "key": key, "timestamp": at}
            if key == "Enter":
                down.update(code="Enter", windowsVirtualKeyCode=13, text="\r")
            else:
                down["text"] = key
            cdp.send("Input.dispatchKeyEvent", down)
            cdp.send("Input.dispatchKeyEvent", {"type": "keyUp", "key": key, "timestamp": at})
    finally:
        cdp.detach()
