"""Several dispatchers loading one manifest at once: every package loaded once, each scan
its own transaction; a package two dispatchers scan at the same moment goes on once (the
second is told it is already loaded), on SQLite and PostgreSQL alike."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from flask import Flask

from server.db import database as db_proxy
from server.floor import inputs
from server.floor.flow import FloorInput
from server.ids import new_id
from server.models.dispatch import ManifestPackage
from tests.dispatch.conftest import events, manifest_at
from tests.fixtures.app import Api
from tests.floor.conftest import FLOOR, Kiosk, add_kiosk, add_operator


def dispatchers(app: Flask, client: Any, count: int) -> list[Kiosk]:
    found = []
    for n in range(count):
        badge = f"D{n}"
        add_operator(app, badge, ("dispatcher",))
        r = client.post(f"{FLOOR}/enroll", json={"code": add_kiosk(app, f"HH-{badge}")})
        kiosk = Kiosk(client, f"HH-{badge}", r.json["device_token"])
        assert kiosk.login(badge).status_code == 201
        kiosk.send(action="dispatch")
        kiosk.send(scan="DOCK-2")  # no door sensor there
        assert kiosk.screen["name"] == "dispatch.load", kiosk.screen
        found.append(kiosk)
    return found


def test_dispatchers_scanning_the_same_packages_at_once_load_each_once(
    app: Flask, client: Any, packed: Callable[..., list[str]], docks: Api
) -> None:
    ssccs = [s for n in range(12) for s in packed(f"WEB-{n}", PEN=1)]
    manifest_at(docks, dock="DOCK-2")
    kiosks = dispatchers(app, client, 3)
    spine = app.extensions["floorlink"].spine
    answers: list[dict[str, Any]] = []
    lock = threading.Lock()

    def scan_all(kiosk: Kiosk) -> None:
        for sscc in ssccs:  # every dispatcher scans every package
            inp = FloorInput(new_id("in"), scan=f"00{sscc}")
            with app.app_context(), db_proxy.connection_context():
                badge = kiosk.device_id.removeprefix("HH-")
                screen = inputs.submit(spine, str(kiosk.session_id), inp, badge)
            with lock:
                answers.append(screen)

    threads = [threading.Thread(target=scan_all, args=(k,)) for k in kiosks]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    levels = [(a.get("feedback") or {}).get("level") for a in answers]
    assert levels.count("ok") == len(ssccs), levels  # each package loaded exactly once
    refused = [a["feedback"]["message"] for a in answers if a["feedback"]["level"] == "error"]
    assert len(refused) == 2 * len(ssccs)
    assert all("already loaded on this manifest" in m for m in refused), refused
    with db_proxy.connection_context():
        assert ManifestPackage.select().count() == len(ssccs)
    assert len(events("manifest.package_loaded")) == len(ssccs)
