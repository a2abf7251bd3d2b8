"""Screen.to_json is written out for speed; it must stay what dataclasses.asdict gives."""

from __future__ import annotations

from dataclasses import asdict

import pytest

from server.floor.flow import Action, Screen

SCREENS = [
    Screen("home", "Home", "Choose", "none"),
    Screen(
        "pick.quantity",
        "Pick",
        "Scan",
        "quantity",
        target={"location": "A-01", "serials": ["S1", "S2"], "nested": {"a": (1, 2)}},
        actions=[Action("skip", "Skip"), Action("home", "Home")],
        progress={"done": 1, "total": 3},
    ).with_feedback("ok", "1 of 2 counted"),
]


@pytest.mark.parametrize("screen", SCREENS)
def test_to_json_is_asdict(screen: Screen) -> None:
    assert screen.to_json() == asdict(screen)
    assert list(screen.to_json()) == list(asdict(screen))


def test_to_json_copies_nested_values() -> None:
    screen = SCREENS[1]
    screen.to_json()["target"]["serials"].append("S3")
    assert screen.target["serials"] == ["S1", "S2"]
