"""create_app: builds the Flask app, its database and its services from one Settings object."""

from __future__ import annotations

import importlib
import logging

from flask import Flask, Request
from flask.sessions import NullSession, SessionInterface
from werkzeug.routing import MapAdapter

from server import db, migrations
from server.api import problems, routing
from server.area import Area
from server.areas import AREAS
from server.bootstrap import add_services, build_runtime
from server.config import Settings
from server.floor import access
from server.hardware.lights import LightPort
from server.realtime import TextPacket, socketio

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1 * 1024 * 1024

# The HTTP edges, by module; a module exposes `bp`. Areas add no blueprint of their own:
# their routes are declared as data (Area.operations) and served by server/api/operations.py.
BLUEPRINTS = [
    "server.api.meta",
    "server.api.catalog",
    "server.api.stock",
    "server.api.orders",
    "server.api.returns",
    "server.api.events",
    "server.api.exceptions",
    "server.api.admin",
    "server.api.devices",
    "server.api.operations",
    "server.api.floor",
    "server.api.board",
    "kiosk_ui",
    "kiosk_ui.home",
]


SOCKETIO_PATH = "socket.io"


class NoSessions(SessionInterface):
    """No cookie session: every caller authenticates with a token on each request (a
    device token, a session bearer, an API key), and nothing in Floorlink reads or writes
    `flask.session`. Flask's signed cookie session still built an itsdangerous serializer
    and parsed the cookies on every request and every Socket.IO event (Flask-SocketIO
    runs each event in a request context): a socket event's context took 147 us, 28 without
    (docs/performance.md, "Floor inputs against their ceiling"). `flask.session` is a
    NullSession: reading it gives nothing, writing to it raises."""

    def open_session(self, app: Flask, request: Request) -> NullSession:
        return self.make_null_session(app)

    def save_session(self, app: Flask, session: object, response: object) -> None:
        return None


class FloorlinkFlask(Flask):
    """Flask that opens no cookie session and does not route Socket.IO events.

    Flask-SocketIO runs every event in a request context built from the socket's environ
    (path /socket.io/), which Flask routed: no rule matches (Socket.IO never reaches
    Flask's dispatch), so werkzeug raised NotFound and Flask kept it on the request with
    its traceback, a reference cycle (request -> exception -> traceback -> frame -> the
    context -> request) of ~57 objects per event that only the cyclic GC frees. Under
    load it piled up into collections of 50-80k objects, each stopping the process for
    100-300 ms (docs/performance.md, "Floor inputs"). Without a URL adapter nothing is
    routed (url_for is not used in event handlers).
    """

    session_interface = NoSessions()

    def create_url_adapter(self, request: Request | None) -> MapAdapter | None:
        if request is not None and request.environ.get("PATH_INFO", "").startswith(
            f"/{SOCKETIO_PATH}/"
        ):
            return None
        return super().create_url_adapter(request)


def create_app(
    settings: Settings,
    *,
    check_schema: bool = True,
    areas: tuple[Area, ...] = AREAS,
    lights: LightPort | None = None,
) -> Flask:
    """The server of `areas` (every area by default; tests may add their own)."""
    # static_folder=None: no unguarded static route (deny by default)
    app = FloorlinkFlask(__name__, static_folder=None)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
        JSON_SORT_KEYS=False,
    )
    app.json.sort_keys = False
    db.bind(settings.database_url, max_connections=settings.server.pool)
    if check_schema:
        migrations.check_current()
    runtime = build_runtime(settings, areas, lights=lights)
    app.extensions["floorlink"] = runtime
    app.extensions[routing.AUTHENTICATORS_KEY] = access.AUTHENTICATORS
    for name in BLUEPRINTS:
        app.register_blueprint(importlib.import_module(name).bp)
    problems.install(app)
    importlib.import_module("server.floor.socket_events")  # declares the /kiosk handlers
    access.install_socket_events()
    # async_handlers=False: a socket's events run in order on its own (reader) thread,
    # instead of one new thread per event (docs/performance.md, "Floor inputs").
    socketio.init_app(
        app,
        path=SOCKETIO_PATH,
        async_mode="threading",
        cors_allowed_origins=[],
        async_handlers=False,
        serializer=TextPacket,
        # several processes: every emit goes through Redis to every process's sockets
        message_queue=settings.message_queue,
    )
    add_services(app, runtime, areas)
    return app
