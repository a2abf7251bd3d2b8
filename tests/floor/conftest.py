"""A floor on a real database: operators, enrolled kiosks and sessions through the HTTP API."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from server.db import database as db_proxy
from server.floor import operators
from server.floor.kiosks import AddKiosk
from server.ids import new_id
from server.spine import SYSTEM

FLOOR = "/api/floor/v1"


def add_operator(app: Flask, badge: str, roles: tuple[str, ...], pin: str = "1234") -> None:
    spine = app.extensions["floorlink"].spine
    with db_proxy.connection_context():
        cmd = operators.AddOperator(badge, f"Op {badge}", roles, operators.new_pin_hash(pin))
        spine.execute(cmd, SYSTEM)


def add_kiosk(
    app: Flask, device_id: str, kind: str = "handheld", station: str | None = None
) -> str:
    spine = app.extensions["floorlink"].spine
    with db_proxy.connection_context():
        result = spine.execute(AddKiosk(device_id, kind, station, 900.0), SYSTEM).result
    return str(result["enrollment_code"])


@dataclass
class Kiosk:
    """A kiosk client over HTTP: enrolled device token, and a session once logged in."""

    client: FlaskClient
    device_id: str
    device_token: str
    session_id: str | None = None
    token: str | None = None
    screen: dict[str, Any] = field(default_factory=dict)

    def headers(self) -> dict[str, str]:
        out = {"X-Device-Token": self.device_token}
        if self.token:
            out["Authorization"] = f"Bearer {self.token}"
        return out

    def login(self, badge: str, pin: str = "1234") -> Any:
        r = self.client.post(
            f"{FLOOR}/sessions", json={"badge": badge, "pin": pin}, headers=self.headers()
        )
        if r.status_code == 201:
            self.session_id, self.token = r.json["session_id"], r.json["token"]
            self.screen = r.json["screen"]
        return r

    def send(self, input_id: str | None = None, **body: Any) -> Any:
        body["input_id"] = input_id or new_id("in")
        r = self.client.post(
            f"{FLOOR}/sessions/{self.session_id}/inputs", json=body, headers=self.headers()
        )
        if r.status_code == 200:
            self.screen = r.json["screen"]
        return r

    def logout(self) -> Any:
        return self.client.delete(f"{FLOOR}/sessions/{self.session_id}", headers=self.headers())


@pytest.fixture
def enrolled(app: Flask, client: FlaskClient) -> Callable[..., Kiosk]:
    def make(device_id: str = "HH-1", kind: str = "handheld", station: str | None = None) -> Kiosk:
        code = add_kiosk(app, device_id, kind, station)
        r = client.post(f"{FLOOR}/enroll", json={"code": code})
        assert r.status_code == 201, r.json
        return Kiosk(client, device_id, r.json["device_token"])

    return make


@pytest.fixture
def operator(app: Flask) -> Callable[..., None]:
    return lambda badge, *roles, pin="1234": add_operator(app, badge, roles or ("picker",), pin)
