"""What each step of the pack flow costs, in SQL statements: counts that do not drift with
the machine (docs/performance.md, "Statements per step")."""

from __future__ import annotations

from collections.abc import Callable

from tests.fixtures.statements import Steps
from tests.floor.conftest import Kiosk
from tests.packing.test_pack_flow import current

# Statements per step, the kiosk's HTTP input included (access check, the input, the session,
# de-duplication, the event log); measured 2026-12-02 (-1 on every kiosk input since its key is
# looked up only when it fails: Dedupe check_first). The weigh step is a scale reading routed to
# the station's session, without the kiosk's access check; it allocates the SSCC and queues the
# print.
# -1 (2026-12-04) on every step that records events: numbered in their INSERT (eventlog.py)
BUDGETS = {  # (SQLite, PostgreSQL)
    "tote": (20, 21),
    "take_box": (13, 14),
    "unit": (14, 15),
    "last_unit": (17, 18),
    "weigh": (23, 24),
    "confirm": (22, 23),
    "home": (5, 5),  # from the done screen
    "login": (10, 11),  # the packer again, after a logout
    "enter": (6, 6),  # the home screen's "pack": the pack flow's first screen
}


def test_each_pack_step_stays_within_its_statement_budget(
    picked: Callable[..., str], packer: Kiosk, scale: Callable[..., None]
) -> None:
    picked("WEB-1", MUG=2, PEN=1)
    steps = Steps()
    with steps.count("tote"):
        packer.send(scan="T1")
    with steps.count("take_box"):
        packer.send(action="take_box")
    packer.send(scan="4006381333931")
    with steps.count("unit"):
        packer.send(scan="4006381333931")
    with steps.count("last_unit"):
        packer.send(scan="96385074")
    expected = packer.screen["target"]["expected_g"]
    with steps.count("weigh"):
        scale(expected + 3.0)
    sscc = current(packer)["target"]["sscc"]
    with steps.count("confirm"):
        packer.send(scan=f"00{sscc}")
    assert packer.screen["name"] == "pack.done", packer.screen
    with steps.count("home"):
        assert packer.send(action="home").json["screen"]["name"] == "home"
    assert packer.logout().status_code == 200
    with steps.count("login"):
        assert packer.login("K1").status_code == 201
    with steps.count("enter"):
        assert packer.send(action="pack").json["screen"]["name"].startswith("pack.")
    steps.check(BUDGETS)
