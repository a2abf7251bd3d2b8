"""The root page `/`: where to go from here (the kiosk, the supervisors' board, the API
documents). Public, like the kiosk pages: it holds no data."""

from __future__ import annotations

from flask import Blueprint, Response, render_template

from kiosk_ui import _secure, public

bp = Blueprint("home", __name__, template_folder="templates")


@bp.get("/", endpoint="root")
@public
def root() -> Response:
    return _secure(Response(render_template("home.html"), mimetype="text/html"))
