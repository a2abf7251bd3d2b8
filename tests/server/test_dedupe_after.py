"""De-duplication that looks the key up only when the command fails (`Dedupe(check_first=
False)`, floor inputs): the same key twice has one effect and one answer, whether the
second run conflicts on the key or is refused because the first took effect."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import pytest

from server.db import database
from server.errors import Conflict
from server.models import Event
from server.spine import SYSTEM, Dedupe, Spine, Unit
from tests.fixtures.areas import TEST_HANDLERS, TestEvent


@dataclass(frozen=True)
class Take:
    """Take the one unit called `name`: refused once it is taken."""

    name: str
    answer: str = "taken"


@TEST_HANDLERS.handles(Take)
def take(cmd: Take, unit: Unit) -> dict[str, Any]:
    taken = Event.select().where(Event.subject == f"test:{cmd.name}").exists()
    if taken:
        raise Conflict(f"{cmd.name} is taken already")
    unit.record(TestEvent("test.taken", f"test:{cmd.name}", {"name": cmd.name}))
    return {"name": cmd.name, "answer": cmd.answer}


def _events(name: str) -> int:
    with database.connection_context():
        return Event.select().where(Event.subject == f"test:{name}").count()


@pytest.mark.parametrize("grouped", [False, True])
def test_a_second_send_refused_by_the_first_gets_the_first_answer(
    db_url: str, grouped: bool
) -> None:
    spine = Spine(TEST_HANDLERS.table)
    run = spine.execute_grouped if grouped else spine.execute
    key = Dedupe("in:1", check_first=False)
    first = run(Take("mug"), SYSTEM, key)
    again = run(Take("mug", answer="other"), SYSTEM, key)
    assert first.result == again.result == {"name": "mug", "answer": "taken"}
    assert again.replayed and not again.events
    assert _events("mug") == 1
    with pytest.raises(Conflict):  # another input (another key) is refused as it should be
        run(Take("mug"), SYSTEM, Dedupe("in:2", check_first=False))


def test_a_refused_send_is_not_remembered(db_url: str) -> None:
    spine = Spine(TEST_HANDLERS.table)
    spine.execute(Take("pen"), SYSTEM)
    key = Dedupe("in:3", check_first=False)
    for _ in range(2):  # refused each time: nothing was remembered for the key
        with pytest.raises(Conflict):
            spine.execute(Take("pen"), SYSTEM, key)


def test_twins_sent_at_once_take_effect_once(db_url: str) -> None:
    spine, answers, errors = Spine(TEST_HANDLERS.table), [], []

    def send(i: int) -> None:
        try:
            key = Dedupe("in:twin", check_first=False)
            answers.append(spine.execute_grouped(Take("cup", f"a{i}"), SYSTEM, key).result)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    assert len(answers) == 8 and all(a == answers[0] for a in answers)
    assert _events("cup") == 1
