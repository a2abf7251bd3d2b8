"""The floor protocol over HTTP (docs/architecture.md, Floor protocol): enroll, log in,
inputs, screens.

Every route declares its access rule: "public", "device" (X-Device-Token) or
"session[:roles]" (and `Authorization: Bearer <session token>`); see server/floor/access.py.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from server.api.openapi import document
from server.api.routing import PUBLIC, operation
from server.errors import Forbidden, Locked, NotFound, Unauthorized
from server.floor import access, auth, inputs, screens
from server.floor.access import DEVICE_HEADER, SESSION_HEADERS, caller
from server.floor.kiosks import EnrollKiosk
from server.floor.operators import UnlockBadge
from server.floor.schemas import (
    BadgeIn,
    DeviceOut,
    Enrolled,
    EnrollIn,
    InputIn,
    LoginIn,
    ScreenEnvelope,
    SessionEndedOut,
    SessionOut,
    UnlockOut,
)
from server.floor.sessions import EndSession, Login, open_session
from server.models import FloorOperator, Order, Package
from server.models.base import Encoded
from server.packing import labelling, store
from server.packing.labels.png import render_png
from server.runtime import runtime
from server.spine import Actor

bp = Blueprint("floor", __name__, url_prefix="/api/floor/v1")
TAG = "floor"


class LoginRefused(Unauthorized):
    slug = "login-refused"
    title = "Badge or PIN not accepted"


class BadgeLocked(Locked):
    slug = "badge-locked"
    title = "Badge locked"


@operation(bp, "/openapi.json", "GET", access=PUBLIC, tag=TAG, summary="This document")
def floor_openapi() -> Any:
    return document("Floorlink floor protocol", "1.0.0", prefix="/api/floor/v1/")


@operation(
    bp,
    "/enroll",
    "POST",
    access=PUBLIC,
    tag=TAG,
    summary="Exchange a one-time enrollment code for a device token",
    body=EnrollIn,
    responses={201: ("The device and its token (shown once)", Enrolled)},
)
def enroll(body: EnrollIn) -> Any:
    outcome = runtime().spine.execute(EnrollKiosk(body.code), Actor("device", "enrolling"))
    return outcome.result, 201


@operation(
    bp,
    "/device",
    "GET",
    access="device",
    tag=TAG,
    summary="This kiosk and the screen to show before login",
    headers=(DEVICE_HEADER,),
    responses={200: ("The device", DeviceOut)},
)
def get_device() -> Any:
    device = caller().device
    return {
        "device_id": device.device_id,
        "kind": device.kind,
        "station": device.station,
        "demo": runtime().settings.demo,
        "screen": screens.login_badge().to_json(),
    }


@operation(
    bp,
    "/login/badge",
    "POST",
    access="device",
    tag=TAG,
    summary="A badge was scanned on the login screen: the PIN screen",
    body=BadgeIn,
    headers=(DEVICE_HEADER,),
    responses={200: ("The PIN screen", ScreenEnvelope)},
)
def login_badge(body: BadgeIn) -> Any:
    return {"screen": screens.login_pin(body.badge).to_json()}


@operation(
    bp,
    "/sessions",
    "POST",
    access="device",
    tag=TAG,
    summary="Log in with badge and PIN on an enrolled kiosk",
    body=LoginIn,
    headers=(DEVICE_HEADER,),
    responses={201: ("The session, its token and the home screen", SessionOut)},
)
def start_session(body: LoginIn) -> Any:
    rt, device = runtime(), caller().device
    row = FloorOperator.get_or_none(FloorOperator.badge == body.badge)
    pin_ok = auth.verify_pin(row.pin_hash if row else None, body.pin)
    floor = rt.settings.floor
    cmd = Login(
        device.device_id,
        device.station,
        body.badge,
        pin_ok,
        floor.lockout_attempts,
        floor.lockout_window_s,
    )
    result = rt.spine.execute(cmd, Actor("device", device.device_id)).result
    if result["outcome"] == "locked" or result["outcome"] == "lock_now":
        raise BadgeLocked("this badge is locked after too many wrong PINs: ask a supervisor")
    if result["outcome"] != "ok":
        raise LoginRefused("badge or PIN not accepted")
    return {k: result[k] for k in ("session_id", "token", "screen")}, 201


def _own_session(session_id: str) -> str:
    session = caller().session
    if session is None or session.session_id != session_id:
        raise NotFound(f"no such session: {session_id}")
    return session.badge


@operation(
    bp,
    "/sessions/<session_id>",
    "DELETE",
    access="session",
    tag=TAG,
    summary="Log out (a supervisor may end any session)",
    headers=SESSION_HEADERS,
    responses={200: ("Ended", SessionEndedOut)},
)
def end_session(session_id: str) -> Any:
    me = caller()
    reason = "logout"
    if me.session is None or me.session.session_id != session_id:
        roles = set(me.operator.roles if me.operator else [])
        if not roles & {"supervisor", "admin"} or open_session(session_id) is None:
            raise NotFound(f"no such session: {session_id}")
        reason = "supervisor"
    actor = Actor("operator", me.session.badge if me.session else "?")
    return runtime().spine.execute(EndSession(session_id, reason), actor).result


@operation(
    bp,
    "/sessions/<session_id>/inputs",
    "POST",
    access="session",
    tag=TAG,
    summary="One input (a scan or an action); the same input_id again has no second effect",
    body=InputIn,
    headers=SESSION_HEADERS,
    responses={200: ("The new screen", ScreenEnvelope)},
)
def post_input(session_id: str, body: InputIn) -> Any:
    badge = _own_session(session_id)
    screen = inputs.submit_from_kiosk(runtime().spine, session_id, body.floor_input("kiosk"), badge)
    if isinstance(screen, Encoded):  # the text the session row and the input keep
        return Response(f'{{"screen":{screen.text}}}\n', mimetype="application/json")
    return {"screen": screen}


@operation(
    bp,
    "/sessions/<session_id>/screen",
    "GET",
    access="session",
    tag=TAG,
    summary="The session's current screen",
    headers=SESSION_HEADERS,
    responses={200: ("The screen", ScreenEnvelope)},
)
def get_screen(session_id: str) -> Any:
    _own_session(session_id)
    session = caller().session
    return {"screen": session.screen if session else None}


@operation(
    bp,
    "/badges/<badge>/unlock",
    "POST",
    access="session:supervisor,admin",
    tag=TAG,
    summary="A supervisor unlocks a badge locked after wrong PINs",
    headers=SESSION_HEADERS,
    responses={200: ("Unlocked (or was not locked)", UnlockOut)},
)
def unlock(badge: str) -> Any:
    me = caller()
    if me.operator is None:
        raise Forbidden("log in as a supervisor")
    actor = Actor("operator", me.operator.badge)
    return runtime().spine.execute(UnlockBadge(badge), actor).result


@operation(
    bp,
    "/labels/<sscc>.png",
    "GET",
    access="session:packer,supervisor",
    tag=TAG,
    summary="The label of a package as PNG, for the station's preview: a packer's own open "
    "pack only (404 for any other SSCC), any labelled package for a supervisor",
    headers=SESSION_HEADERS,
    responses={200: ("The label (image/png)", None)},
)
def label_png(sscc: str) -> Any:
    me = caller()
    package = Package.get_or_none(Package.sscc == sscc)
    if package is None or package.status == "voided" or package.carrier is None:
        raise NotFound(f"no label for package {sscc}")
    roles = set(me.operator.roles if me.operator else [])
    if "supervisor" not in roles:
        job = store.open_job(me.operator.badge) if me.operator else None
        if job is None or package.job_id != job.id:
            raise NotFound(f"no label for package {sscc}")
    order = Order.get_by_id(package.order_id)
    live = Package.select().where(Package.job == package.job_id, Package.status != "voided")
    packing = runtime().settings.section("packing")
    png = render_png(labelling.label_of(package, order, live.count(), packing))
    headers = {
        "Content-Disposition": f'inline; filename="{sscc}.png"',
        # the label carries the customer's address: not kept by the browser or a proxy
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
    }
    return Response(png, mimetype="image/png", headers=headers)


__all__ = ["access", "bp"]
