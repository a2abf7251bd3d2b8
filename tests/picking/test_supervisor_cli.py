"""floorlink picking hold | release | batches | reassign | unassign: the supervisor's levers
from the CLI, with the arguments and output of docs/picking.md (the put-back and wave
commands are tested with their flows, in test_exceptions.py and test_waves.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.fixtures.app import Api
from tests.fixtures.cli import floorlink_on
from tests.picking.conftest import order, post_order


def test_hold_release_and_reassign_from_the_cli(
    site: Api, totes: list[str], picker_of: Any, db_url: str, tmp_path: Path
) -> None:
    floorlink = floorlink_on(db_url, tmp_path)
    post_order(site, order("WEB-1", MUG=1))
    held = floorlink("picking", "hold", "WEB-1", "--reason", "fraud")
    assert held.exit_code == 0, held.output
    assert json.loads(held.output)["held"] is True
    assert picker_of("P1").enter()["name"] == "pick.no_work"
    released = floorlink("picking", "release", "WEB-1")
    assert released.exit_code == 0 and json.loads(released.output)["held"] is False
    assert picker_of("P1").enter()["name"] == "pick.scan_tote"

    [line] = floorlink("picking", "batches").output.splitlines()
    batch_id, *rest = line.split("\t")
    assert rest == ["assigned", "P1", "WEB-1"]
    moved = floorlink("picking", "reassign", batch_id, "P2")
    assert moved.exit_code == 0 and json.loads(moved.output)["operator"] == "P2"
    assert picker_of("P1").enter()["name"] == "pick.no_work"
    taken = floorlink("picking", "unassign", batch_id)
    assert taken.exit_code == 0 and json.loads(taken.output)["status"] == "open"
    assert floorlink("picking", "batches").output == f"{batch_id}\topen\t-\tWEB-1\n"

    unknown = floorlink("picking", "hold", "NOPE")
    assert unknown.exit_code == 1 and "no order NOPE" in unknown.output
    missing = floorlink("picking", "reassign", batch_id)
    assert missing.exit_code == 2 and "BADGE" in missing.output
