"""One floor input = one spine command, de-duplicated on `floor:<session>:<input_id>`.

The machinery decodes scans, routes `home` and `logout` itself and everything else to the
session's flow; the new screen, flow name and scratch state are saved with the session in
the same transaction as the effect. A domain error raised by a flow rolls back and becomes
an error screen that is not remembered (sending the input again tries again). So does a
database that cannot take the input (a full disk) for an input a person sends from a kiosk
(`submit_from_kiosk`); device routes let it raise, so that their transport retries.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from devices.barcode import DecodeError, decode
from server import rawsql
from server.errors import FloorlinkError, Unauthorized, unavailable
from server.floor import push, screens
from server.floor.flow import (
    Action,
    Feedback,
    FloorInput,
    Flow,
    FlowContext,
    Screen,
    entered,
    flows_of,
    notices,
)
from server.floor.operators import as_operator
from server.floor.sessions import end_sessions, open_session_with_operator, session_screen
from server.models import FloorOperator, FloorSession, utcnow
from server.models.base import Encoded
from server.spine import SYSTEM, Actor, Dedupe, Handlers, Spine, Unit

HANDLERS = Handlers()

log = logging.getLogger(__name__)


class SessionEnded(Unauthorized):
    slug = "session-ended"
    title = "The session has ended"


def _load(session_id: str, device_id: str | None = None) -> tuple[FloorSession, FloorOperator]:
    """The open session (locked, its last screen not read: `session_screen`) and its
    operator; with `device_id`, only on that device (a socket's input: checked here, in the
    input's transaction, not read once before)."""
    found = open_session_with_operator('s."session_id" = ?', [session_id], lock=True, screen=False)
    if found is None or not found[1].active:
        raise SessionEnded("this session has ended: log in again")
    if device_id is not None and found[0].device_id != device_id:
        raise SessionEnded("this session has ended: log in again")
    return found


def _context(session: FloorSession, operator: FloorOperator, unit: Unit) -> FlowContext:
    return FlowContext(
        session.session_id,
        as_operator(operator),
        session.device_id,
        session.station,
        unit,
        dict(session.state or {}),
    )


def _save(
    session: FloorSession, flow: str | None, ctx: FlowContext, screen: Screen, touch: bool = True
) -> Encoded:
    """Save the session's new screen; return it, encoded once for the session row, the
    remembered input and the answer."""
    encoded = Encoded(screen.to_json())
    values: dict[str, Any] = {"flow": flow, "state": ctx.state, "screen": encoded}
    if touch:
        values["last_seen"] = utcnow()
    rawsql.update_one(FloorSession, session.session_id, values)
    return encoded


@dataclass(frozen=True)
class ApplyInput:
    session_id: str
    input: FloorInput
    device_id: str | None = None  # the session must be open on this device


@HANDLERS.handles(ApplyInput)
def apply_input(cmd: ApplyInput, unit: Unit) -> dict[str, Any]:
    session, operator = _load(cmd.session_id, cmd.device_id)
    ctx = _context(session, operator, unit)
    inp = cmd.input
    if inp.action == "logout":
        end_sessions(FloorSession.session_id == session.session_id, "logout", unit)
        return push.ended_screen("logout")
    if inp.scan is not None:
        decoded = decode(inp.scan)
        if isinstance(decoded, DecodeError):
            last = session_screen(session.session_id)
            current = screen_from_json(last, False) if last else None
            home = screens.home(ctx.operator, flows_of(unit).values())
            screen = (current or home).with_feedback("error", decoded.message)
            return _save(session, session.flow, ctx, screen)
        inp = FloorInput(inp.input_id, inp.scan, decoded, None, None, inp.source)
    flow_name, screen = _route(session.flow, ctx, inp)
    return _save(session, flow_name, ctx, screen)


def _route(current: str | None, ctx: FlowContext, inp: FloorInput) -> tuple[str | None, Screen]:
    flows = flows_of(ctx.unit)
    if inp.action == "home":
        said = notices(flows.values(), ctx.operator.roles, ctx.station)
        return None, screens.home(ctx.operator, flows.values(), notices=said)
    flow = flows.get(current) if current else None
    if current is not None and (flow is None or not flow.roles & ctx.operator.roles):
        home = screens.home(ctx.operator, flows.values())
        return None, home.with_feedback("error", "That work is no longer available to you")
    if flow is not None:
        return flow.name, screens.with_home(flow.handle(entered(flow, ctx), inp))
    chosen = _chosen(ctx, inp, flows.values())
    if chosen is None:
        message = "Choose your work first" if inp.scan is not None else "Not available to you"
        home = screens.home(ctx.operator, flows.values())
        return None, home.with_feedback("warn" if inp.scan else "error", message)
    return chosen.name, screens.with_home(chosen.enter(entered(chosen, ctx)))


def _chosen(ctx: FlowContext, inp: FloorInput, flows: Iterable[Flow]) -> Flow | None:
    offered = screens.allowed_flows(ctx.operator.roles, flows)
    return next((f for f in offered if f.name == inp.action), None)


def screen_from_json(data: dict[str, Any], keep_feedback: bool = True) -> Screen:
    fb = data.get("feedback") if keep_feedback else None
    actions = [Action(**a) for a in data.get("actions", [])]
    return Screen(**{**data, "actions": actions, "feedback": Feedback(**fb) if fb else None})


def submit(
    spine: Spine,
    session_id: str,
    inp: FloorInput,
    badge: str,
    device_id: str | None = None,
    sender: str | None = None,
) -> dict[str, Any]:
    """Run one input; return the new screen, pushed to the session's other sockets too (not
    to `sender`, the socket that sent it: its ack carries the screen). With `device_id` the
    session is checked to be open on that device in the input's own transaction."""
    dedupe = Dedupe(f"floor:{session_id}:{inp.input_id}", check_first=False)
    try:
        outcome = spine.execute_grouped(
            ApplyInput(session_id, inp, device_id), Actor("operator", badge), dedupe
        )
    except SessionEnded:
        raise
    except FloorlinkError as exc:
        log.info("input %s of %s refused: %s", inp.input_id, session_id, exc.detail)
        return _error_screen(session_id, exc.detail)
    screen: dict[str, Any] = outcome.result
    if not outcome.replayed and screen.get("name") != "login.badge":
        push.screen_to_session(session_id, screen, skip=sender)
    return screen


def submit_from_kiosk(
    spine: Spine,
    session_id: str,
    inp: FloorInput,
    badge: str,
    device_id: str | None = None,
    sender: str | None = None,
) -> dict[str, Any]:
    """`submit` for an input a person sent from a kiosk and is watching: when the database
    cannot take it (server.errors.unavailable: a full disk, an outage), the answer is the
    current screen with error feedback (the kiosk's error sound), nothing is remembered and
    sending it again tries again. Device routes call `submit` and let the error raise: the
    MQTT ingest holds the event and retries, as a serial scanner's route does."""
    try:
        return submit(spine, session_id, inp, badge, device_id, sender)
    except Exception as exc:
        refused = unavailable(exc)
        if refused is None:
            raise
        log.warning(
            "input %s of %s not taken: %s (%s)", inp.input_id, session_id, refused.title, exc
        )
        message = f"{refused.title}: not saved. Tell a supervisor, then try again"
        try:
            return _error_screen(session_id, message)
        except Exception as reading:  # the database cannot even be read: the edge's 503
            raise refused from reading


def _error_screen(session_id: str, message: str) -> dict[str, Any]:
    last = session_screen(session_id)
    if last is None:
        return screens.login_badge().with_feedback("error", message).to_json()
    return screen_from_json(last).with_feedback("error", message).to_json()


@dataclass(frozen=True)
class RenderSessions:
    session_ids: tuple[str, ...]


@HANDLERS.handles(RenderSessions)
def render_sessions(cmd: RenderSessions, unit: Unit) -> dict[str, Any]:
    rendered: dict[str, Any] = {}
    for session_id in cmd.session_ids:
        try:
            session, operator = _load(session_id)
        except SessionEnded:
            continue
        ctx = _context(session, operator, unit)
        flows = flows_of(unit)
        flow = flows.get(session.flow) if session.flow else None
        if flow is None:
            screen = screens.home(ctx.operator, flows.values())
        else:
            screen = screens.with_home(flow.render(entered(flow, ctx)))
        rendered[session_id] = _save(session, session.flow if flow else None, ctx, screen, False)
    return rendered


def refresh(spine: Spine, session_ids: list[str]) -> None:
    """Re-render these sessions with Flow.render and push their screens (after commit)."""
    if not session_ids:
        return
    outcome = spine.execute(RenderSessions(tuple(session_ids)), SYSTEM)
    for session_id, screen in outcome.result.items():
        push.screen_to_session(session_id, screen)
