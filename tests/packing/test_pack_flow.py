"""Packing at the station, through the real floor machinery: a picked tote to a verified,
weighed, labelled package, the OMS told; and the ways it goes wrong."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from devices.virtual_printer import VirtualPrinter
from server.db import database as db_proxy
from server.models import Event, Order, SupervisorException, Tote, ToteItem
from tests.fixtures.app import Api
from tests.floor.conftest import Kiosk


def events_of(external_id: str, prefix: str = "") -> list[dict[str, Any]]:
    with db_proxy.connection_context():
        rows = (
            Event.select().where(Event.subject == f"order:{external_id}").order_by(Event.position)
        )
        return [{"type": r.type, **r.data} for r in rows if r.type.startswith(prefix)]


def current(kiosk: Kiosk) -> dict[str, Any]:
    """The session's screen now (a scale reading changed it without the kiosk asking)."""
    r = kiosk.client.get(
        f"/api/floor/v1/sessions/{kiosk.session_id}/screen", headers=kiosk.headers()
    )
    kiosk.screen = r.json["screen"]
    return kiosk.screen


def feedback(kiosk: Kiosk) -> tuple[str | None, str | None]:
    fb = kiosk.screen.get("feedback") or {}
    return fb.get("level"), fb.get("message")


def test_a_picked_tote_becomes_a_labelled_package(
    picked: Callable[..., str],
    packer: Kiosk,
    scale: Callable[..., None],
    printer: VirtualPrinter,
    site: Api,
    app: Any,
) -> None:
    picked("WEB-1", MUG=2, PEN=1)
    assert packer.screen["name"] == "pack.scan_tote", packer.screen
    packer.send(scan="T1")
    assert packer.screen["name"] == "pack.box", packer.screen
    assert packer.screen["target"]["box"] == "M"  # two 120 mm mugs and a pen: not S
    packer.send(action="take_box")
    assert packer.screen["name"] == "pack.verify", packer.screen
    packer.send(scan="4006381333931")
    assert packer.screen["target"]["left"] == {"MUG": 1, "PEN": 1}, (
        packer.screen["feedback"],
        packer.screen["target"],
    )
    packer.send(scan="5901234123457")  # tea: not in this order
    assert feedback(packer) == ("error", "Wrong product 5901234123457: this order has none")
    packer.send(scan="4006381333931")
    packer.send(scan="4006381333931")  # a third mug
    level, message = feedback(packer)
    assert level == "error" and "packed already" in (message or ""), packer.screen
    packer.send(scan="96385074")
    assert packer.screen["name"] == "pack.weigh", packer.screen
    expected = packer.screen["target"]["expected_g"]
    assert expected == 2 * 350 + 10 + 180
    scale(expected + 3.0)  # the scale read empty when the step began: this counts
    assert current(packer)["name"] == "pack.label", packer.screen
    sscc = packer.screen["target"]["sscc"]
    assert sscc.startswith("00614141") and len(sscc) == 18
    assert packer.screen["target"]["carrier"] == "DHL Paket"
    printing = app.extensions["floorlink"].parts["packing.printing"]
    assert printing.print_pending() == 1  # what the service does after commit
    labels = printer.wait_for_labels(1, timeout=10)
    assert f">;>800{sscc}" in labels[0].data.decode()
    packer.send(scan="00123456789012345675")  # another SSCC
    assert feedback(packer)[0] == "error"
    packer.send(scan=f"00{sscc}")
    assert packer.screen["name"] == "pack.done", packer.screen

    body = site.get("/orders/WEB-1").json
    assert body["status"] == "packed"
    assert [line["packed"] for line in body["lines"]] == [2, 1]
    packed = events_of("WEB-1", "order.packed")[0]
    (package,) = packed["packages"]
    assert package["sscc"] == sscc and package["box"] == "M"
    assert package["weight_g"] == expected + 3 and package["expected_weight_g"] == expected
    assert package["carrier"] == "DHL" and package["service"] == "Paket"
    assert {(line["sku"], line["qty"]) for line in package["lines"]} == {("MUG", 2), ("PEN", 1)}
    with db_proxy.connection_context():
        assert ToteItem.select().count() == 0
        assert Tote.get(Tote.code == "T1").status == "free"
    assert site.get(f"/packages/{sscc}").json["order"] == "WEB-1"
    label = site.get(f"/packages/{sscc}/label.pdf")
    assert label.status_code == 200 and label.data.startswith(b"%PDF")


def test_a_weight_out_of_tolerance_is_blocked_until_a_supervisor_approves(
    picked: Callable[..., str],
    packer: Kiosk,
    scale: Callable[..., None],
    app: Any,
) -> None:
    from tests.floor.conftest import add_operator

    add_operator(app, "S1", ("supervisor",), "4321")
    picked("WEB-2", MUG=1)
    packer.send(scan="T1")
    packer.send(action="take_box")
    packer.send(scan="4006381333931")
    assert packer.screen["name"] == "pack.weigh", packer.screen
    scale(900.0)
    assert current(packer)["name"] == "pack.weight_mismatch", packer.screen
    level, message = feedback(packer)
    assert level == "error" and "too heavy" in (message or ""), packer.screen
    with db_proxy.connection_context():
        exc = SupervisorException.get(SupervisorException.kind == "weight_mismatch")
        assert exc.status == "open"
    packer.send(action="override")
    packer.send(scan="K1")  # a packer's badge does not approve
    assert feedback(packer)[0] == "error"
    packer.send(scan="S1")
    assert packer.screen["name"] == "pack.override_pin"
    packer.send(action="pin", value="0000")
    assert feedback(packer)[0] == "error" and packer.screen["name"] == "pack.override_badge"
    packer.send(scan="S1")
    packer.send(action="pin", value="4321")
    packer.send(action="reason_packaging")
    assert packer.screen["name"] == "pack.label", packer.screen
    with db_proxy.connection_context():
        assert SupervisorException.get_by_id(exc.id).status == "resolved"
    overridden = events_of("WEB-2", "package.weight_overridden")
    assert overridden[0]["supervisor"] == "S1"


def test_a_cancel_while_packing_changes_the_screen_and_voids_the_package(
    picked: Callable[..., str], packer: Kiosk, site: Api
) -> None:
    picked("WEB-3", MUG=1)
    packer.send(scan="T1")
    packer.send(action="take_box")
    assert site.post("/orders/WEB-3/cancel", {"reason": "customer"}).status_code == 200
    assert current(packer)["name"] == "pack.cancelled", packer.screen
    assert events_of("WEB-3", "package.voided")
    with db_proxy.connection_context():
        assert Order.get(Order.external_id == "WEB-3").status == "cancelled"


def test_a_short_at_pack_holds_the_order_for_a_put_back(
    picked: Callable[..., str], packer: Kiosk, site: Api
) -> None:
    picked("WEB-4", MUG=2)
    packer.send(scan="T1")
    packer.send(action="take_box")
    packer.send(scan="4006381333931")
    packer.send(action="short")
    packer.send(action="short_damaged")
    assert packer.screen["name"] == "pack.scan_tote"
    assert feedback(packer)[0] == "warn"
    assert events_of("WEB-4", "order.short_packed")[0]["lines"] == [
        {"line_id": "1", "sku": "MUG", "qty": 1}
    ]
    assert site.get("/orders/WEB-4").json["status"] == "short_picked"


def test_a_held_or_unknown_tote_is_a_clear_error(
    picked: Callable[..., str], packer: Kiosk, admin_api: Api
) -> None:
    packer.send(scan="T9")
    assert feedback(packer)[0] == "error"
    picked("WEB-5", MUG=1)
    packer.send(scan="T2")  # a free tote
    assert "holds nothing to pack" in (feedback(packer)[1] or "")
    packer.send(scan="NOPE-1")
    assert "neither a tote nor an order" in (feedback(packer)[1] or "")


def _weighed_to_label(packer: Kiosk, scale: Callable[..., None], tote: str, grams: float) -> str:
    packer.send(scan=tote)
    packer.send(action="take_box")
    packer.send(scan="4006381333931")
    scale(grams)
    screen = current(packer)
    assert screen["name"] == "pack.label", screen
    return str(screen["target"]["sscc"])


def test_a_cancel_after_packing_flags_the_packages_and_asks_no_put_back(
    picked: Callable[..., str], packer: Kiosk, scale: Callable[..., None], site: Api
) -> None:
    picked("WEB-6", MUG=1)
    sscc = _weighed_to_label(packer, scale, "T1", 530.0)
    packer.send(scan=sscc)
    assert packer.screen["name"] == "pack.done"
    assert site.post("/orders/WEB-6/cancel", {"reason": "customer"}).status_code == 200
    flagged = events_of("WEB-6", "package.flagged")[0]
    assert flagged["ssccs"] == [sscc]
    assert site.get(f"/packages/{sscc}").json["flagged"]
    with db_proxy.connection_context():
        kinds = {e.kind for e in SupervisorException.select()}
    assert "packed_cancelled" in kinds and "put_back" not in kinds  # the tote is long free


def test_a_short_put_back_is_listed_and_the_order_can_be_packed_again(
    picked: Callable[..., str], packer: Kiosk, site: Api, admin_api: Api
) -> None:
    picked("WEB-7", MUG=1)
    packer.send(scan="T1")
    packer.send(action="take_box")
    packer.send(action="short")
    packer.send(action="short_missing")
    waiting = admin_api.get("/picking/put-backs").json["data"]
    assert [(p["tote"], p["order"]) for p in waiting] == [("T1", "WEB-7")]
    done = admin_api.post("/picking/put-backs/T1/complete", {"location": "A-01-01-1"})
    assert done.status_code == 200, done.json


def test_a_kiosk_cannot_send_a_scale_reading_nor_key_past_a_mismatch(
    picked: Callable[..., str], packer: Kiosk, scale: Callable[..., None]
) -> None:
    picked("WEB-8", MUG=1)
    packer.send(scan="T1")
    packer.send(action="take_box")
    packer.send(scan="4006381333931")
    packer.send(action="scale", value={"grams": 530.0, "stable": True})
    assert feedback(packer) == ("error", "Weights come from the station's scale")
    assert packer.screen["name"] == "pack.weigh"
    scale(2000.0)
    assert current(packer)["name"] == "pack.weight_mismatch"
    packer.send(action="key_weight", value=530)
    assert feedback(packer)[0] == "error" and packer.screen["name"] == "pack.weight_mismatch"


def test_wrong_supervisor_pins_lock_the_badge(
    picked: Callable[..., str], packer: Kiosk, scale: Callable[..., None], app: Any
) -> None:
    from tests.floor.conftest import add_operator

    add_operator(app, "S2", ("supervisor",), "4321")
    picked("WEB-9", MUG=1)
    packer.send(scan="T1")
    packer.send(action="take_box")
    packer.send(scan="4006381333931")
    scale(2000.0)
    current(packer)
    packer.send(action="override")
    for _ in range(5):  # floor.lockout_attempts
        packer.send(scan="S2")
        packer.send(action="pin", value="0000")
    assert "locked" in (feedback(packer)[1] or ""), packer.screen
    packer.send(scan="S2")
    packer.send(action="pin", value="4321")  # the right PIN, but the badge is locked now
    assert "locked" in (feedback(packer)[1] or "")
    assert events_of("WEB-9", "package.weight_overridden") == []


def test_an_order_released_after_a_short_at_pack_packs_again(
    picked: Callable[..., str], packer: Kiosk, admin_api: Api
) -> None:
    picked("WEB-10", MUG=1)
    packer.send(scan="T1")
    packer.send(action="take_box")
    packer.send(action="short")
    packer.send(action="short_damaged")  # the supervisor finds the unit is fine after all
    assert admin_api.post("/picking/orders/WEB-10/release", {}).status_code == 200
    packer.send(scan="T1")
    packer.send(action="take_box")
    assert packer.screen["name"] == "pack.verify", packer.screen
    assert packer.screen["title"] == "Order WEB-10: package 1 (M)"
    # the units never left the tote: no put-back waits for it, the short is resolved
    assert admin_api.get("/picking/put-backs").json["data"] == []
    with db_proxy.connection_context():
        short = SupervisorException.get(SupervisorException.kind == "pack_short")
        assert short.status == "resolved", short.status


def test_home_says_what_a_station_lacks_before_packing_starts(app: Any, client: Any) -> None:
    from tests.floor.conftest import FLOOR, add_kiosk, add_operator

    add_operator(app, "K9", ("packer",))
    code = add_kiosk(app, "HH-PACK", "handheld", None)
    token = client.post(f"{FLOOR}/enroll", json={"code": code}).json["device_token"]
    kiosk = Kiosk(client, "HH-PACK", token)
    assert kiosk.login("K9").status_code == 201
    assert kiosk.screen["name"] == "home"
    assert feedback(kiosk) == ("warn", "This station has no scale: packages cannot be weighed here")
