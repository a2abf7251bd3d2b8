"""The /kiosk namespace (auth on connect and on every event, pushes, logout at once) and
station scans fed into the session open at the station."""

from __future__ import annotations

from typing import Any

from flask import Flask

from server.floor import inputs
from server.floor.sessions import session_at_station, sessions_of_operator
from server.floor.stations import feed_station_scan
from server.realtime import socketio
from tests.floor.conftest import Kiosk


def _socket(app: Flask, kiosk: Kiosk, with_session: bool = True) -> Any:
    auth = {"device_token": kiosk.device_token}
    if with_session:
        auth["session_token"] = kiosk.token or ""
    return socketio.test_client(app, namespace="/kiosk", auth=auth)


def _screens(client: Any) -> list[dict[str, Any]]:
    return [m["args"][0] for m in client.get_received("/kiosk") if m["name"] == "screen"]


def test_connect_needs_an_enrolled_device(app: Flask) -> None:
    client = socketio.test_client(app, namespace="/kiosk", auth={"device_token": "fld_x"})
    assert not client.is_connected("/kiosk")


def test_socket_input_acks_the_screen_and_dedupes(app: Flask, enrolled: Any, operator: Any) -> None:
    operator("S-1", "picker")
    kiosk = enrolled()
    kiosk.login("S-1")
    client = _socket(app, kiosk)
    assert client.is_connected("/kiosk")
    assert _screens(client)[0]["screen"]["name"] == "home"
    ack = client.emit(
        "input", {"input_id": "i-1", "action": "bogus"}, namespace="/kiosk", callback=True
    )
    again = client.emit(
        "input", {"input_id": "i-1", "action": "home"}, namespace="/kiosk", callback=True
    )
    assert ack == again and ack["screen"]["feedback"]["level"] == "error"
    bad = client.emit("input", {"input_id": "i-2"}, namespace="/kiosk", callback=True)
    assert bad["error"]["status"] == 422
    client.disconnect(namespace="/kiosk")


def test_device_only_socket_cannot_send_inputs(app: Flask, enrolled: Any) -> None:
    kiosk = enrolled()
    client = _socket(app, kiosk, with_session=False)
    ack = client.emit(
        "input", {"input_id": "x", "action": "home"}, namespace="/kiosk", callback=True
    )
    assert ack["error"]["status"] == 401
    client.disconnect(namespace="/kiosk")


def test_disable_logs_out_open_sockets_at_once(
    app: Flask, enrolled: Any, operator: Any, admin_api: Any
) -> None:
    operator("S-2", "picker")
    kiosk = enrolled()
    kiosk.login("S-2")
    client = _socket(app, kiosk)
    client.get_received("/kiosk")
    r = admin_api.client.patch(
        "/api/v1/operators/S-2",
        json={"active": False},
        headers={"Authorization": f"Bearer {admin_api.key}"},
    )
    assert r.status_code == 200
    assert not client.is_connected("/kiosk")


def test_http_input_is_pushed_to_the_sessions_sockets(
    app: Flask, enrolled: Any, operator: Any
) -> None:
    operator("S-3", "picker")
    kiosk = enrolled()
    kiosk.login("S-3")
    client = _socket(app, kiosk)
    client.get_received("/kiosk")
    kiosk.send(scan="4006381333931")
    assert _screens(client)[-1]["screen"]["feedback"]["message"] == "Choose your work first"
    with app.app_context():
        inputs.refresh(app.extensions["floorlink"].spine, sessions_of_operator("S-3"))
    assert _screens(client)[-1]["screen"]["name"] == "home"
    client.disconnect(namespace="/kiosk")


def test_a_socket_input_is_pushed_to_the_sessions_other_sockets_only(
    app: Flask, enrolled: Any, operator: Any
) -> None:
    """The sender has the screen in its ack; a second socket of the session (a reconnect
    not yet noticed, a second tab) is pushed it; alone, the sender is pushed nothing."""
    operator("S-5", "picker")
    kiosk = enrolled()
    kiosk.login("S-5")
    sender = _socket(app, kiosk)
    sender.get_received("/kiosk")
    ack = sender.emit("input", {"input_id": "a-1", "action": "bogus"}, namespace="/kiosk", callback=True)  # fmt: skip
    assert ack["screen"]["feedback"]["level"] == "error"
    assert _screens(sender) == []
    other = _socket(app, kiosk)
    other.get_received("/kiosk")
    ack = sender.emit("input", {"input_id": "a-2", "action": "home"}, namespace="/kiosk", callback=True)  # fmt: skip
    assert _screens(other) == [{"screen": ack["screen"]}]
    assert _screens(sender) == []
    other.disconnect(namespace="/kiosk")
    sender.disconnect(namespace="/kiosk")


def test_station_scan_goes_to_the_session_at_the_station(
    app: Flask, enrolled: Any, operator: Any
) -> None:
    operator("S-4", "picker")
    station = enrolled("ST-1", "station", "PACK-01")
    spine = app.extensions["floorlink"].spine
    device_socket = _socket(app, station, with_session=False)
    with app.app_context():
        assert feed_station_scan(spine, "PACK-01", "NOT-A-BADGE", "s:1", "serial:SC")["name"] == (
            "login.badge"
        )
        pin = feed_station_scan(spine, "PACK-01", "S-4", "s:2", "serial:SC")
    assert pin is not None and pin["name"] == "login.pin" and pin["target"] == {"badge": "S-4"}
    assert _screens(device_socket)[-1]["screen"]["name"] == "login.pin"
    station.login("S-4")
    with app.app_context():
        assert session_at_station("PACK-01") == station.session_id
        first = feed_station_scan(spine, "PACK-01", "4006381333931", "s:3", "serial:SC")
        again = feed_station_scan(spine, "PACK-01", "4006381333931", "s:3", "serial:SC")
    assert first == again and first is not None
    assert first["feedback"]["message"] == "Choose your work first"
    device_socket.disconnect(namespace="/kiosk")


def test_ping_answers_a_logged_in_socket_only(app: Flask, enrolled: Any, operator: Any) -> None:
    operator("S-9", "picker")
    kiosk = enrolled()
    device_only = _socket(app, kiosk, with_session=False)
    refused = device_only.emit("ping", namespace="/kiosk", callback=True)
    assert refused["error"]["status"] == 401
    kiosk.login("S-9")
    client = _socket(app, kiosk)
    assert client.emit("ping", namespace="/kiosk", callback=True) == {"pong": True}
    kiosk.logout()
    assert not client.is_connected("/kiosk")
