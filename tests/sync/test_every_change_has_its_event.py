"""Nothing changes state without its event: the spine refuses it, every handler obeys it.

Each handler of every area (server/areas.py) is driven with an example command from its
area's module in tests/examples/ (`tests/examples/<area>.py`), its setup built through the
real commands; a handler that wrote state must have recorded at least one event. A handler
of the server without an example FAILS with its name, and so does an area with handlers but
no examples module.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass

import pytest

from server import writes
from server.areas import AREAS
from server.floor.operators import UnlockBadge
from server.models import Product, SupervisorException
from server.spine import Spine, Unit, UnrecordedChange
from tests.examples import Example
from tests.examples.floor import BOOKKEEPING_ONLY
from tests.examples.setup import operator
from tests.fixtures.app import Api
from tests.fixtures.areas import TEST_HANDLERS
from tests.sync.conftest import TESTER, in_db


def _examples_module(area: str) -> str:
    return f"tests.examples.{area}"


def _examples() -> dict[type, Example]:
    found: dict[type, Example] = {}
    for area in AREAS:
        name = _examples_module(area.name)
        if importlib.util.find_spec(name) is not None:
            found.update(importlib.import_module(name).EXAMPLES)
    return found


EXAMPLES = _examples()


def _server_handlers() -> set[type]:
    """The command types of every area's handlers (the production table, tests left out)."""
    return {t for area in AREAS for table in area.handlers for t in table.table}


def test_every_area_with_handlers_has_its_examples() -> None:
    missing = [
        _examples_module(area.name)
        for area in AREAS
        if area.handlers and importlib.util.find_spec(_examples_module(area.name)) is None
    ]
    assert not missing, f"no examples module for the areas' handlers: add {', '.join(missing)}"


def test_every_server_handler_has_an_example() -> None:
    missing = sorted(t.__name__ for t in _server_handlers() - set(EXAMPLES))
    assert not missing, (
        f"no example command for {', '.join(missing)}: add one to its area's tests/examples/"
    )


@pytest.mark.parametrize(
    "command_type", sorted(_server_handlers() | set(EXAMPLES), key=lambda t: t.__name__), ids=str
)
def test_handler_records_an_event_for_its_change(
    command_type: type, site: Api, spine: Spine
) -> None:
    example = EXAMPLES.get(command_type)
    if example is None:
        pytest.fail(f"no example command for {command_type.__name__} in tests/examples/")
    outcome = spine.execute(example(spine), TESTER)
    if command_type in BOOKKEEPING_ONLY:
        assert outcome.result and not outcome.events, outcome
        return
    assert outcome.events, f"{command_type.__name__} recorded no event"


def test_unlocking_a_badge_that_is_not_locked_changes_nothing(site: Api, spine: Spine) -> None:
    badge = operator(spine, "B-8")
    outcome = spine.execute(UnlockBadge(badge), TESTER)  # was: UnrecordedChange (badge_lock)
    assert outcome.result == {"badge": badge, "unlocked": False}
    assert not outcome.events


@dataclass(frozen=True)
class SneakyRename:
    sku: str


@TEST_HANDLERS.handles(SneakyRename)
def _sneaky(cmd: SneakyRename, unit: Unit) -> None:
    Product.update(name="renamed").where(Product.sku == cmd.sku).execute()


def test_a_change_without_event_is_refused_and_rolled_back(site: Api, spine: Spine) -> None:
    EXAMPLES[SneakyRename] = lambda s: SneakyRename("MUG")
    with pytest.raises(UnrecordedChange, match="product"):
        spine.execute(SneakyRename("MUG"), TESTER)
    assert in_db(lambda: Product.get(Product.sku == "MUG").name) == "Mug"


def test_bookkeeping_writes_need_no_event(site: Api, spine: Spine) -> None:
    assert in_db(lambda: SupervisorException.select().count()) == 0
    assert writes.written_table('UPDATE "webhook_delivery" SET x=1') == "webhook_delivery"
    assert writes.state_tables({"event", "webhook_delivery", "product"}) == {"product"}


@pytest.mark.parametrize(
    ("sql", "table"),
    [
        ('INSERT INTO "order" ("a") VALUES (?)', "order"),
        ('insert or ignore into "stock" values (1)', "stock"),
        ('UPDATE "public"."stock" SET "on_hand" = 1', "stock"),
        ('DELETE FROM "allocation" WHERE 1', "allocation"),
        ('SELECT * FROM "stock" FOR UPDATE', None),
        ("WITH x AS (SELECT 1) SELECT 1", None),
    ],
)
def test_written_table(sql: str, table: str | None) -> None:
    assert writes.written_table(sql) == table
