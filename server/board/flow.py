"""The `supervise` flow: the home action of supervisors. Its one screen, `board.floor`, tells
the kiosk to show the board, which it renders from the board model pushed over its socket
(server/board/hub.py); the fixes go as their own commands (server/board/fixes.py), not as
inputs of this flow."""

from __future__ import annotations

from typing import Any

from server.floor.flow import Action, FloorInput, FlowContext, Screen

BOARD = "board.floor"


class SuperviseFlow:
    name = "supervise"
    label = "Supervise"
    roles = frozenset({"supervisor"})
    settings_key = None
    concerns: frozenset[str] = frozenset()

    def enter(self, ctx: FlowContext) -> Screen:
        return self.render(ctx)

    def handle(self, ctx: FlowContext, inp: FloorInput) -> Screen:
        screen = self.render(ctx)
        if inp.scan is not None:
            return screen.with_feedback("warn", "The board takes no scans: tap a fix")
        return screen.with_feedback("error", "Tap a fix on the board")

    def render(self, ctx: FlowContext) -> Screen:
        return Screen(
            name=BOARD,
            title="Floor board",
            prompt="The floor now; the exceptions queue, most urgent first",
            expect="none",
            actions=[Action("home", "Home")],
            progress={"board": True},
        )

    def operators_concerned(self, events: list[dict[str, Any]]) -> set[str]:
        return set()
