"""The manifests' API: created and read by the OMS, closed, split and cancelled by a
supervisor (scope admin); every bad request a clear problem, never a 500, nothing half done;
and the dispatch flow offered only to dispatchers and supervisors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from server.board.fixes import ApplyFix
from server.db import database as db_proxy
from server.models import Package, SupervisorException
from server.models.dispatch import Manifest, ManifestPackage
from server.spine import Actor
from tests.dispatch.conftest import events, manifest_at
from tests.fixtures.app import Api
from tests.floor.conftest import FLOOR, Kiosk, add_kiosk, add_operator


def load(manifest_id: str, *ssccs: str) -> None:
    """Packages put on the manifest as the floor does (the flow's own tests drive it)."""
    with db_proxy.connection_context():
        m = Manifest.get(Manifest.manifest_id == manifest_id)
        for sscc in ssccs:
            p = Package.get(Package.sscc == sscc)
            ManifestPackage.create(manifest=m, package=p, order=p.order_id, loaded_by="test")


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.json)
    assert response.content_type == "application/problem+json", response.content_type
    return dict(response.json)


def test_the_oms_plans_a_pickup_and_reads_what_waits(
    packed: Callable[..., list[str]], docks: Api
) -> None:
    (paket,) = packed("WEB-1", PEN=1)
    packed("WEB-2", carrier="UPS", service="Standard", PEN=1)
    r = docks.post(
        "/manifests",
        {"carrier": "DHL", "service": "Paket", "dock": "DOCK-1", "trailer": "B-TR 2040",
         "planned_pickup_at": "2026-12-02T16:00:00+01:00", "reference": "PICKUP-77"},
    )  # fmt: skip
    assert r.status_code == 400 or r.status_code == 422, r.json  # a trailer id has no spaces
    r = docks.post(
        "/manifests",
        {"carrier": "DHL", "service": "Paket", "dock": "DOCK-1", "trailer": "B-TR-2040",
         "planned_pickup_at": "2026-12-02T16:00:00+01:00", "reference": "PICKUP-77"},
    )  # fmt: skip
    assert r.status_code == 201, r.json
    body = r.json
    assert (body["carrier"], body["service"], body["dock"], body["status"]) == (
        "DHL", "Paket", "DOCK-1", "open"
    )  # fmt: skip
    assert body["planned_pickup_at"] == "2026-12-02T15:00:00.000Z"
    assert [w["sscc"] for w in body["waiting"]] == [paket]  # not the UPS one
    assert body["totals"] == {"packages": 0, "orders": 0, "weight_g": 0}
    got = docks.get(f"/manifests/{body['id']}").json
    assert got["id"] == body["id"] and got["reference"] == "PICKUP-77"
    assert [m["id"] for m in docks.get("/manifests?carrier=DHL&status=open").json["data"]] == [
        body["id"]
    ]
    assert docks.get("/manifests?carrier=UPS").json["data"] == []
    assert docks.get("/manifests?dock=DOCK-2").json["data"] == []
    (created,) = events("manifest.created")
    assert created["actor"].startswith("api_key:") and created["id"] == body["id"]


def test_pages_of_manifests(docks: Api) -> None:
    made = [manifest_at(docks, carrier=f"C{i}") for i in range(5)]
    first = docks.get("/manifests?limit=2").json
    assert [m["id"] for m in first["data"]] == made[::-1][:2] and first["has_more"] is True
    second = docks.get(f"/manifests?limit=2&cursor={first['next_cursor']}").json
    assert [m["id"] for m in second["data"]] == made[::-1][2:4]
    problem(docks.get("/manifests?cursor=nope"), 422)
    problem(docks.get("/manifests?limit=0"), 422)
    problem(docks.get("/manifests?status=lost"), 422)


def test_bad_requests_are_clear_problems(docks: Api, admin_api: Api) -> None:
    body = problem(docks.post("/manifests", {"carrier": "DHL", "dock": "PACK-01"}), 422)
    assert body["errors"] == [
        {"field": "dock", "message": "PACK-01 is a pack location, not a dock"}
    ]
    problem(docks.post("/manifests", {"carrier": "DHL", "dock": "NOWHERE"}), 422)
    problem(docks.post("/manifests", {"carrier": "", "dock": "DOCK-1"}), 422)
    problem(docks.post("/manifests", {"carrier": "DHL", "dock": "DOCK-1", "colour": "red"}), 422)
    problem(docks.post("/manifests", {"carrier": "DHL", "dock": "DOCK-1",
                                      "planned_pickup_at": "tomorrow"}), 422)  # fmt: skip
    problem(docks.get("/manifests/man_nothing"), 404)
    problem(docks.get("/manifests/man_nothing.pdf"), 404)
    problem(admin_api.post("/manifests/man_nothing/close", {"seal": "S1"}), 404)
    problem(docks.get("/manifests/day/yesterday"), 404)
    assert docks.get("/manifests").json["data"] == []  # nothing was created by any of it


def test_scopes(client: FlaskClient, docks: Api, admin_api: Api) -> None:
    manifest = manifest_at(docks)
    assert client.get("/api/v1/manifests").status_code == 401
    assert client.get(f"/api/v1/manifests/{manifest}.pdf").status_code == 401
    for path, body in (("close", {"seal": "S1"}), ("splits", {"order": "X", "reason": "r"}),
                       ("cancel", {"reason": "r"})):  # fmt: skip
        problem(docks.post(f"/manifests/{manifest}/{path}", body), 403)  # the OMS's key
    assert admin_api.get("/manifests").status_code == 200  # admin may do what oms may


def test_a_supervisor_closes_splits_and_cancels_from_the_office(
    packed: Callable[..., list[str]], docks: Api, admin_api: Api
) -> None:
    a, b = packed("WEB-3", [{"PEN": 1}, {"PEN": 1}], PEN=2)
    (c,) = packed("WEB-4", PEN=1)
    manifest = manifest_at(docks, trailer="TR-1")
    load(manifest, a, c)
    body = problem(admin_api.post(f"/manifests/{manifest}/close", {"seal": "S-1"}), 409)
    assert body["errors"][0]["field"] == "WEB-3" and b in body["errors"][0]["message"]
    problem(admin_api.post(f"/manifests/{manifest}/close", {"seal": "a seal"}), 422)
    with db_proxy.connection_context():
        assert Package.get(Package.sscc == a).status == "packed"  # nothing half done
    problem(admin_api.post(f"/manifests/{manifest}/splits", {"order": "WEB-4", "reason": "r"}), 409)
    r = admin_api.post(f"/manifests/{manifest}/splits", {"order": "WEB-3", "reason": "repack"})
    assert r.status_code == 200, r.json
    assert r.json["splits"][0]["order"] == "WEB-3"
    problem(admin_api.post(f"/manifests/{manifest}/splits", {"order": "WEB-3", "reason": "x"}), 409)
    problem(admin_api.post(f"/manifests/{manifest}/cancel", {"reason": "no truck"}), 409)
    r = admin_api.post(f"/manifests/{manifest}/close", {"seal": "S-1"})
    assert r.status_code == 200, r.json
    assert r.json["status"] == "closed" and r.json["seal"] == "S-1"
    assert r.json["totals"] == {"packages": 2, "orders": 2, "weight_g": 2000}
    order = docks.get("/orders/WEB-3").json
    assert order["status"] == "dispatched" and order["lines"][0]["shipped"] == 1
    (split,) = events("order.dispatched", "order:WEB-3")
    assert split["complete"] is False and split["not_dispatched"] == [b]
    assert split["split"]["reason"] == "repack"
    problem(admin_api.post(f"/manifests/{manifest}/close", {"seal": "S-1"}), 409)  # closed
    # the rest of the split leaves on the next manifest
    second = manifest_at(docks)
    load(second, b)
    assert admin_api.post(f"/manifests/{second}/close", {"seal": "S-2"}).status_code == 200
    assert docks.get("/orders/WEB-3").json["lines"][0]["shipped"] == 2
    _, rest = events("order.dispatched", "order:WEB-3")
    assert rest["complete"] is True and [p["sscc"] for p in rest["packages"]] == [b]
    empty = manifest_at(docks, carrier="UPS")
    r = admin_api.post(f"/manifests/{empty}/cancel", {"reason": "no truck"})
    assert r.status_code == 200 and r.json["status"] == "cancelled"


def test_only_dispatchers_and_supervisors_see_dispatch(app: Flask, client: FlaskClient) -> None:
    for badge, roles in (("P9", ("picker",)), ("D9", ("dispatcher",)), ("S9", ("supervisor",))):
        add_operator(app, badge, roles)
        code = add_kiosk(app, f"HH-{badge}", "handheld")
        r = client.post(f"{FLOOR}/enroll", json={"code": code})
        kiosk = Kiosk(client, f"HH-{badge}", r.json["device_token"])
        assert kiosk.login(badge).status_code == 201
        offered = [a["id"] for a in kiosk.screen["actions"]]
        assert ("dispatch" in offered) is (badge != "P9"), (badge, offered)
        kiosk.send(action="dispatch")
        if badge == "P9":
            assert kiosk.screen["name"] == "home" and kiosk.screen["feedback"]["level"] == "error"
        else:
            assert kiosk.screen["name"] == "dispatch.scan_dock", kiosk.screen


def test_an_order_packing_gave_two_carriers_leaves_with_each_without_a_split(
    packed: Callable[..., list[str]], docks: Api, admin_api: Api
) -> None:
    dhl, ups = packed("WEB-8", [{"PEN": 1}, {"MUG": 1}], PEN=1, MUG=1)
    with db_proxy.connection_context():  # the heavy one went with UPS (a carrier rule)
        Package.update(carrier="UPS", service="Standard").where(Package.sscc == ups).execute()
    first = manifest_at(docks)
    load(first, dhl)
    r = admin_api.post(f"/manifests/{first}/close", {"seal": "S-1"})
    assert r.status_code == 200, r.json  # the UPS package is no part of DHL's pickup
    (part,) = events("order.dispatched", "order:WEB-8")
    assert part["complete"] is False and part["not_dispatched"] == [ups]
    second = manifest_at(docks, dock="DOCK-2", carrier="UPS")
    load(second, ups)
    assert admin_api.post(f"/manifests/{second}/close", {"seal": "S-2"}).status_code == 200
    _, rest = events("order.dispatched", "order:WEB-8")
    assert rest["complete"] is True and rest["carrier"] == "UPS"
    assert [ln["shipped"] for ln in docks.get("/orders/WEB-8").json["lines"]] == [1, 1]


def test_the_board_unloads_a_cancelled_orders_packages_in_one_tap(
    app: Flask, packed: Callable[..., list[str]], docks: Api
) -> None:
    (sscc,) = packed("WEB-9", PEN=1)
    manifest = manifest_at(docks)
    load(manifest, sscc)
    assert docks.post("/orders/WEB-9/cancel", {"reason": "customer"}).status_code == 200
    with db_proxy.connection_context():
        exc = SupervisorException.get(SupervisorException.kind == "dispatch_cancelled_loaded")
    assert exc.data == {"manifest": manifest, "dock": "DOCK-1", "ssccs": [sscc]}
    add_operator(app, "S-1", ("supervisor",))
    spine = app.extensions["floorlink"].spine
    with db_proxy.connection_context():
        done = spine.execute(ApplyFix(exc.exception_id, "unload"), Actor("operator", "S-1"))
    assert done.result["done"] == f"unloaded {sscc} from {manifest}"
    with db_proxy.connection_context():
        assert SupervisorException.get_by_id(exc.id).status == "resolved"
        assert not ManifestPackage.select().exists()
    assert [e["type"] for e in events("manifest.package_unloaded")] == ["manifest.package_unloaded"]
