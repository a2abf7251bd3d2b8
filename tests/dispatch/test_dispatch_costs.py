"""What each step of the dispatch flow costs, in SQL statements: counts that do not drift
with the machine (docs/performance.md, "Statements per step"). A load scan is the hot
path: its reads are hand-written (server/dispatch/hot.py) and must stay few whatever the
manifest's size."""

from __future__ import annotations

from collections.abc import Callable

from tests.dispatch.conftest import manifest_at
from tests.fixtures.app import Api
from tests.fixtures.statements import Steps
from tests.floor.conftest import Kiosk

# Statements per step, the kiosk's HTTP input included (access check, the input, the session,
# de-duplication, the event log); measured 2026-12-02 (-1 on every kiosk input since its key is
# looked up only when it fails: Dedupe check_first).
# PostgreSQL +1 on a load or a refused load: the package locked before its facts are read
# -1 (2026-12-04) on every step that records events: numbered in their INSERT (eventlog.py)
BUDGETS = {  # (SQLite, PostgreSQL)
    "dock": (10, 10),
    "load": (15, 17),
    "load_20th": (15, 17),
    "refused": (11, 12),
    "home": (4, 4),
    "login": (9, 10),  # the dispatcher again, after a logout
    "enter": (4, 4),  # the home screen's "dispatch": the flow's first screen
}


def test_each_dispatch_step_stays_within_its_statement_budget(
    packed: Callable[..., list[str]], dispatcher: Kiosk, door: Callable[..., None], docks: Api
) -> None:
    door(True)
    ssccs = [s for n in range(20) for s in packed(f"WEB-{n}", PEN=1)]
    manifest_at(docks)
    steps = Steps()
    with steps.count("dock"):
        dispatcher.send(scan="DOCK-1")
    with steps.count("load"):
        dispatcher.send(scan=f"00{ssccs[0]}")
    for sscc in ssccs[1:-1]:
        dispatcher.send(scan=f"00{sscc}")
    with steps.count("load_20th"):  # the same as the first: nothing grows with the load
        dispatcher.send(scan=f"00{ssccs[-1]}")
    with steps.count("refused"):
        dispatcher.send(scan=f"00{ssccs[0]}")
    assert dispatcher.screen["progress"]["loaded"] == 20, dispatcher.screen
    with steps.count("home"):
        assert dispatcher.send(action="home").json["screen"]["name"] == "home"
    assert dispatcher.logout().status_code == 200
    with steps.count("login"):
        assert dispatcher.login("D1").status_code == 201
    with steps.count("enter"):
        assert dispatcher.send(action="dispatch").json["screen"]["name"].startswith("dispatch.")
    steps.check(BUDGETS)
