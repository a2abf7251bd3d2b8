"""The machinery's own screens (login, home, logged out): pure functions of their inputs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from server.floor.flow import Action, Feedback, Flow, Level, Operator, Screen

HOME = Action("home", "Home")
LOGOUT = Action("logout", "Log out")
HOME_ORDER = ("pick", "pack", "returns", "dispatch", "supervise")


def login_badge(feedback: Feedback | None = None) -> Screen:
    return Screen(
        name="login.badge",
        title="Log in",
        prompt="Scan your badge",
        expect="badge",
        feedback=feedback,
    )


def login_pin(badge: str, feedback: Feedback | None = None) -> Screen:
    return Screen(
        name="login.pin",
        title="Log in",
        prompt="Type your PIN",
        expect="pin",
        target={"badge": badge},
        actions=[Action("cancel", "Cancel")],
        feedback=feedback,
    )


def logged_out(message: str, level: Level = "warn") -> Screen:
    return login_badge(Feedback(level, message))


def allowed_flows(roles: frozenset[str], flows: Iterable[Flow]) -> list[Flow]:
    """The registered flows an operator may use, in the home order of docs/architecture.md,
    Floor protocol."""
    usable = [f for f in flows if f.roles & roles]
    rank = {name: i for i, name in enumerate(HOME_ORDER)}
    return sorted(usable, key=lambda f: (rank.get(f.name, len(rank)), f.name))


def home(
    operator: Operator,
    flows: Iterable[Flow],
    feedback: Feedback | None = None,
    notices: list[str] | None = None,
) -> Screen:
    """`notices`: what the flows say about the station (server/floor/flow.py `notices`),
    shown as a warning unless other feedback is given."""
    offered = allowed_flows(operator.roles, flows)
    if feedback is None and notices:
        feedback = Feedback("warn", "; ".join(notices))
    prompt = "Choose your work" if offered else "No work is available for your roles yet"
    return Screen(
        name="home",
        title=f"Hello {operator.name}",
        prompt=prompt,
        expect="none",
        actions=[Action(f.name, f.label) for f in offered] + [LOGOUT],
        feedback=feedback,
        progress={"badge": operator.badge, "roles": sorted(operator.roles)},
    )


def with_home(screen: Screen) -> Screen:
    """Every flow screen offers the way back home (added when a flow forgot it)."""
    if any(a.id == "home" for a in screen.actions):
        return screen
    return replace(screen, actions=[*screen.actions, HOME])
