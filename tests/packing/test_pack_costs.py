"""What each step of the pack flow costs, in SQL statements: counts that do not drift with
the machine (docs/performance.md, Packing). A step over its budget fails here, before a
benchmark would show it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import peewee

from server.db import database as db_proxy
from tests.floor.conftest import Kiosk
from tests.packing.test_pack_flow import current

# statements per step, the kiosk's HTTP input included (access check, the input, the
# session, de-duplication, the event log); measured 2026-12-02
# (picking's steps, for scale: 11 to 19). The weigh step is a scale reading routed to the
# station's session, without the kiosk's access check; it allocates the SSCC and queues the
# print. Lower a budget when a change saves a statement; never raise one without saying why.
BUDGETS = {"tote": 23, "take_box": 16, "unit": 17, "last_unit": 20, "weigh": 25, "confirm": 25}


@contextmanager
def counted(into: dict[str, Any], step: str) -> Iterator[None]:
    statements: list[str] = []
    database = db_proxy.obj
    execute_sql = database.execute_sql

    def counting(sql: str, *args: Any, **kwargs: Any) -> Any:
        statements.append(sql)
        return execute_sql(sql, *args, **kwargs)

    database.execute_sql = counting
    began = time.process_time()
    try:
        yield
    finally:
        into[step] = (len(statements), (time.process_time() - began) * 1000, statements)
        del database.execute_sql


def test_each_pack_step_stays_within_its_statement_budget(
    picked: Callable[..., str], packer: Kiosk, scale: Callable[..., None]
) -> None:
    picked("WEB-1", MUG=2, PEN=1)
    costs: dict[str, Any] = {}
    with counted(costs, "tote"):
        packer.send(scan="T1")
    with counted(costs, "take_box"):
        packer.send(action="take_box")
    packer.send(scan="4006381333931")
    with counted(costs, "unit"):
        packer.send(scan="4006381333931")
    with counted(costs, "last_unit"):
        packer.send(scan="96385074")
    expected = packer.screen["target"]["expected_g"]
    with counted(costs, "weigh"):
        scale(expected + 3.0)
    sscc = current(packer)["target"]["sscc"]
    with counted(costs, "confirm"):
        packer.send(scan=f"00{sscc}")
    assert packer.screen["name"] == "pack.done", packer.screen
    for step, (count, cpu, _) in costs.items():  # shown with -s; CPU is only a hint
        print(f"{step:10s} {count:3d} statements {cpu:6.1f} ms CPU")
    # PostgreSQL takes one more per input: the event log's head locked for the positions
    extra = 1 if isinstance(db_proxy.obj, peewee.PostgresqlDatabase) else 0
    budgets = {step: budget + extra for step, budget in BUDGETS.items()}
    over = {s: c for s, (c, _, sql) in costs.items() if c > budgets[s]}
    assert not over, {s: costs[s][2] for s in over}
    assert {step: c[0] for step, c in costs.items()} == budgets, "lower the budgets: fewer now"
