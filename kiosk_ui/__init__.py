"""The kiosk pages: a thin renderer of server-driven screens, served by the app (no CDN).

Every route is public (the page holds no data; the floor API checks the device and the
session) and carries `access_rule` like every other route. Pages get a strict
Content-Security-Policy: scripts and styles only from this server, sockets to this origin.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, render_template, send_from_directory

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
STATIC = HERE / "static"
# Third-party browser code, copied from kiosk_ui/node_modules (npm ci) by scripts/setup.sh
# into static/vendor/, which is package data: a wheel built after setup carries it.
VENDOR = STATIC / "vendor"
VENDORED = frozenset({"socket.io.min.js"})
# img-src blob: for the label preview, fetched with the kiosk's tokens (an <img src> to the
# floor API could not send them) and shown from a blob: URL.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)

bp = Blueprint("kiosk", __name__, url_prefix="/kiosk", template_folder="templates")


def public(fn: Any) -> Any:
    fn.access_rule = "public"
    return fn


def _secure(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/", endpoint="page")
@public
def page() -> Response:
    return _secure(Response(render_template("kiosk.html"), mimetype="text/html"))


@bp.get("/board", endpoint="board")
@public
def board() -> Response:
    """The kiosk page that opens the supervisors' board once a supervisor logs in."""
    return _secure(Response(render_template("kiosk.html", start="board"), mimetype="text/html"))


@bp.get("/static/<path:name>", endpoint="static_file")
@public
def static_file(name: str) -> Response:
    response = send_from_directory(STATIC, name, max_age=60)
    return _secure(response)


@bp.get("/vendor/<name>", endpoint="vendor")
@public
def vendor(name: str) -> Response:
    if name not in VENDORED:
        abort(404)
    if not (VENDOR / name).is_file():
        log.error("kiosk_ui/static/vendor/%s is missing: run scripts/setup.sh (make setup)", name)
        abort(
            503,
            description=f"kiosk_ui/static/vendor/{name} is missing: run scripts/setup.sh "
            "(make setup), which installs it with npm ci and copies it there",
        )
    return _secure(send_from_directory(VENDOR, name, max_age=3600))
