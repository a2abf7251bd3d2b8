"""A floor with a short pick waiting for a supervisor, through the floor HTTP API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from tests.fixtures.app import Api
from tests.floor.conftest import Kiosk, add_operator
from tests.floor.conftest import enrolled as enrolled
from tests.picking.conftest import order, post_order
from tests.picking.conftest import totes as totes

BOARD = "/api/floor/v1/board"


def board(kiosk: Kiosk) -> Any:
    return kiosk.client.get(BOARD, headers=kiosk.headers())


def fix(kiosk: Kiosk, item: str, fix_id: str, value: str | None = None, **extra: Any) -> Any:
    body: dict[str, Any] = {"input_id": extra.pop("input_id", f"fix-{item}-{fix_id}"), "item": item}
    body["fix"] = fix_id
    if value is not None:
        body["value"] = value
    return kiosk.client.post(f"{BOARD}/fixes", json=body, headers=kiosk.headers())


def item_of(model: dict[str, Any], kind: str) -> dict[str, Any]:
    found = [i for i in model["queue"]["items"] if i["kind"] == kind]
    assert found, [i["kind"] for i in model["queue"]["items"]]
    return found[0]


def short_pick(kiosk: Kiosk) -> dict[str, Any]:
    """The picker walks to the mug and reports it short (empty)."""
    assert kiosk.send(action="pick").json["screen"]["name"] == "pick.scan_tote"
    screen = kiosk.send(scan="T1").json["screen"]
    if screen["name"] == "pick.scan_tote":  # a second order in the batch
        screen = kiosk.send(scan="T2").json["screen"]
    assert screen["name"] == "pick.scan_location", screen
    assert screen["target"]["location"] == "A-01-01-1", screen
    assert kiosk.send(scan="A-01-01-1").json["screen"]["name"] == "pick.scan_product"
    screen = kiosk.send(action="short", value="empty").json["screen"]
    return dict(screen)


@pytest.fixture
def floor(
    app: Flask, site: Api, totes: list[str], enrolled: Callable[..., Kiosk]
) -> dict[str, Kiosk]:
    """A picker with a batch (two orders), a second picker idle, a supervisor."""
    post_order(site, order("WEB-1", MUG=2))
    post_order(site, order("WEB-2", PEN=1))
    add_operator(app, "P-1", ("picker",))
    add_operator(app, "P-2", ("picker",))
    add_operator(app, "SUP", ("supervisor",))
    kiosks = {}
    for badge, device in (("P-1", "HH-1"), ("P-2", "HH-2"), ("SUP", "HH-3")):
        kiosk = enrolled(device)
        assert kiosk.login(badge).status_code == 201
        kiosks[badge] = kiosk
    return kiosks
