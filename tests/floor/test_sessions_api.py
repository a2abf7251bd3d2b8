"""Enrollment, login with lockout, inputs with exactly-once effect, logout, supervisors."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.floor.conftest import FLOOR, add_kiosk


def test_enroll_code_is_single_use(app: Any, client: FlaskClient) -> None:
    code = add_kiosk(app, "HH-9")
    first = client.post(f"{FLOOR}/enroll", json={"code": code.lower()})
    again = client.post(f"{FLOOR}/enroll", json={"code": code})
    assert first.status_code == 201 and first.json["device_id"] == "HH-9"
    assert again.status_code == 401
    assert again.mimetype == "application/problem+json"


def test_login_home_and_logout(enrolled: Any, operator: Any) -> None:
    operator("B100", "picker")
    kiosk = enrolled()
    r = kiosk.login("B100")
    assert r.status_code == 201
    home = r.json["screen"]
    assert home["name"] == "home"
    ids = [a["id"] for a in home["actions"]]
    assert ids[-1] == "logout"
    assert kiosk.logout().json["ended"] is True
    gone = kiosk.client.get(f"{FLOOR}/sessions/{kiosk.session_id}/screen", headers=kiosk.headers())
    assert gone.status_code == 401


def test_sessions_need_an_enrolled_device(client: FlaskClient, operator: Any) -> None:
    operator("B1")
    r = client.post(f"{FLOOR}/sessions", json={"badge": "B1", "pin": "1234"})
    assert r.status_code == 401
    r = client.post(
        f"{FLOOR}/sessions",
        json={"badge": "B1", "pin": "1234"},
        headers={"X-Device-Token": "fld_forged"},
    )
    assert r.status_code == 401


def test_five_wrong_pins_lock_the_badge_until_unlocked(
    enrolled: Any, operator: Any, admin_api: Any
) -> None:
    operator("B2")
    kiosk = enrolled()
    statuses = [kiosk.login("B2", "9999").status_code for _ in range(5)]
    assert statuses == [401, 401, 401, 401, 423]
    assert kiosk.login("B2", "1234").status_code == 423
    assert admin_api.post("/operators/B2/unlock", json=None).status_code == 200
    assert kiosk.login("B2", "1234").status_code == 201


def test_unknown_and_known_badges_answer_alike(enrolled: Any, operator: Any) -> None:
    operator("B3")
    kiosk = enrolled()
    known = [kiosk.login("B3", "0000") for _ in range(5)]
    unknown = [kiosk.login("NOPE", "0000") for _ in range(5)]
    assert [r.status_code for r in known] == [r.status_code for r in unknown]
    assert [r.json["detail"] for r in known] == [r.json["detail"] for r in unknown]


def test_repeated_input_id_returns_the_same_screen(enrolled: Any, operator: Any) -> None:
    operator("B4", "picker")
    kiosk = enrolled()
    kiosk.login("B4")
    first = kiosk.send("in-1", action="nope").json
    again = kiosk.send("in-1", action="home").json
    assert first == again
    assert first["screen"]["feedback"]["level"] == "error"


def test_bad_scan_is_an_error_screen(enrolled: Any, operator: Any) -> None:
    operator("B5", "picker")
    kiosk = enrolled()
    kiosk.login("B5")
    r = kiosk.send(scan="4006381333932")  # wrong check digit
    assert r.status_code == 200
    assert r.json["screen"]["name"] == "home"
    assert r.json["screen"]["feedback"]["level"] == "error"


def test_invalid_bodies_are_problems(enrolled: Any, operator: Any) -> None:
    operator("B6")
    kiosk = enrolled()
    kiosk.login("B6")
    r = kiosk.send(scan="x", action="home")
    assert r.status_code == 422
    r = kiosk.client.post(
        f"{FLOOR}/sessions/{kiosk.session_id}/inputs", data="{", headers=kiosk.headers()
    )
    assert r.status_code in (400, 415)


def test_role_change_ends_open_sessions(enrolled: Any, operator: Any, admin_api: Any) -> None:
    operator("B7", "picker")
    kiosk = enrolled()
    kiosk.login("B7")
    r = admin_api.client.patch(
        "/api/v1/operators/B7",
        json={"roles": ["packer"]},
        headers={"Authorization": f"Bearer {admin_api.key}"},
    )
    assert r.status_code == 200
    assert kiosk.send(action="home").status_code == 401


def test_supervisor_ends_another_session(enrolled: Any, operator: Any) -> None:
    operator("P1", "picker")
    operator("S1", "supervisor")
    picker, boss = enrolled("HH-1"), enrolled("HH-2")
    picker.login("P1")
    boss.login("S1")
    assert picker.client.delete(
        f"{FLOOR}/sessions/{picker.session_id}", headers=boss.headers()
    ).json == {"session_id": picker.session_id, "ended": True}
    picker2 = enrolled("HH-3")
    picker2.login("P1")
    refused = picker2.client.delete(
        f"{FLOOR}/sessions/{boss.session_id}", headers=picker2.headers()
    )
    assert refused.status_code == 404


def test_revoked_device_cannot_log_in(enrolled: Any, operator: Any, admin_api: Any) -> None:
    operator("B8")
    kiosk = enrolled("HH-8")
    kiosk.login("B8")
    assert admin_api.post("/kiosks/HH-8/revoke", json=None).status_code == 200
    assert kiosk.send(action="home").status_code == 401
    assert kiosk.login("B8").status_code == 401
