"""The event catalogue lives in code, and docs/webhooks.md says the same.

Each area declares its event classes (`Area.events`, server/<area>/events.py); the running
server's spine refuses any other. These tests fail when a type the server can emit is
missing from the Catalogue table of docs/webhooks.md, when the table lists a type no area
declares, when a planned type is emitted already, when an event class in server/ is not
declared by an area, or when a documented example body names a field (or a subject) that
the code does not emit: the examples are checked against a tour of the floor through the
real commands (tests/sync/event_tour.py), which a documented type must be part of.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pytest

import server
from server import eventlog
from server.areas import AREAS
from server.bootstrap import event_classes
from server.events import DomainEvent, UndeclaredEvent
from server.models import Event
from server.spine import Spine, Unit
from tests.fixtures.app import Api
from tests.sync.conftest import TESTER, in_db
from tests.sync.event_tour import tour

DOC = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"
TYPE = re.compile(r"`([a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+)`")
# Documented types the tour cannot make: their examples are checked against the class's fields.
NOT_TOURED = {"light.commanded"}  # needs pick-to-light devices over MQTT


def _section(title: str, end: str) -> str:
    text = DOC.read_text()
    start = text.index(f"## {title}\n")
    return text[start : text.index(end, start)]


def _table(text: str) -> dict[str, str]:
    """type -> documented subject prefix, from the rows of a markdown table."""
    rows: dict[str, str] = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.startswith("|") or len(cells) < 2 or cells[0] in ("type", "---"):
            continue
        subject = re.search(r"`([a-z_]+):", cells[1])
        for type_ in TYPE.findall(cells[0]):
            assert type_ not in rows, f"{type_} is listed twice in docs/webhooks.md"
            rows[type_] = subject.group(1) if subject else ""
    return rows


def documented() -> dict[str, str]:
    return _table(_section("Catalogue", "Planned, with"))


def planned() -> set[str]:
    text = _section("Catalogue", "Example bodies")
    return set(_table(text[text.index("Planned, with") :]))


def examples() -> list[dict[str, Any]]:
    text = _section("Catalogue", "## Endpoints")
    block = text[text.index("```json\n") + 8 :]
    return [json.loads(line) for line in block[: block.index("```")].splitlines() if line]


def declared() -> dict[str, type]:
    return {cls.type: cls for cls in event_classes(AREAS)}


def test_the_catalogue_lists_every_type_the_server_can_emit_and_no_other() -> None:
    code, docs = set(declared()), set(documented())
    assert not code - docs, f"emitted but not in docs/webhooks.md, Catalogue: {sorted(code - docs)}"
    assert not docs - code, (
        f"in docs/webhooks.md, Catalogue, but no area declares: {sorted(docs - code)}"
    )


def test_planned_types_are_not_emitted_yet() -> None:
    early = planned() & set(declared())
    assert not early, f"emitted now: move {sorted(early)} from Planned to the Catalogue table"


def test_every_event_class_of_the_server_is_declared_by_an_area() -> None:
    for module in pkgutil.walk_packages(server.__path__, "server."):
        importlib.import_module(module.name)
    found: set[type] = set()
    todo: list[type] = [DomainEvent]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("server.") and "type" in vars(sub):
                found.add(sub)
    undeclared = sorted(c.__qualname__ for c in found - set(event_classes(AREAS)))
    assert not undeclared, f"event classes no Area.events lists: {undeclared}"


@dataclass(frozen=True)
class Stray(DomainEvent):
    type: ClassVar[str] = "stray.recorded"

    @property
    def subject(self) -> str:
        return "stray:1"

    @property
    def data(self) -> dict[str, Any]:
        return {}


@dataclass(frozen=True)
class RecordStray:
    pass


def _record_stray(cmd: RecordStray, unit: Unit) -> None:
    unit.record(Stray())


def test_the_spine_refuses_an_event_no_area_declares(database: Any) -> None:
    spine = Spine({RecordStray: _record_stray}, events=event_classes(AREAS))
    with pytest.raises(UndeclaredEvent, match="Stray"):
        spine.execute(RecordStray(), TESTER)
    assert in_db(lambda: Event.select().count()) == 0


# -- the example bodies against what the code emits -----------------------------------------


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return {dict: "object", list: "array", str: "string"}.get(type(value), type(value).__name__)


def shape_problems(doc: Any, real: Any, path: str = "data") -> list[str]:
    """Where the documented value names what the emitted one lacks: a field not emitted, or
    another kind of value. Documented objects may leave fields out (abridged), arrays are
    compared by their first emitted item, `"..."` stands for what is left out, and null
    goes with anything."""
    if doc is None or real is None or doc == "...":
        return []
    if _kind(doc) != _kind(real):
        return [f"{path}: documented {_kind(doc)}, emitted {_kind(real)}"]
    if isinstance(doc, dict):
        problems = [f"{path}.{key}: not emitted" for key in doc if key not in real]
        for key in doc.keys() & real.keys():
            problems += shape_problems(doc[key], real[key], f"{path}.{key}")
        return problems
    if isinstance(doc, list) and real:
        return [p for item in doc for p in shape_problems(item, real[0], f"{path}[]")]
    return []


def _compare(example: dict[str, Any], emitted: list[dict[str, Any]]) -> list[str]:
    """The example's problems against the closest emitted event of its type (none: fine)."""
    prefix = example["subject"].split(":")[0]
    best: list[str] | None = None
    for event in emitted:
        problems = shape_problems(example["data"], event["data"])
        if event["subject"].split(":")[0] != prefix:
            problems.append(f"subject {example['subject']}, emitted {event['subject']}")
        if best is None or len(problems) < len(best):
            best = problems
    if best is None:
        return ["not emitted by tests/sync/event_tour.py: add a step that makes it (or NOT_TOURED)"]
    return best


def _toured(spine: Spine) -> dict[str, list[dict[str, Any]]]:
    """The tour on the site: every event in the log (the site's too), by type."""
    tour(spine)
    by_type: dict[str, list[dict[str, Any]]] = {}
    for row in in_db(lambda: list(Event.select().order_by(Event.position))):
        by_type.setdefault(row.type, []).append(eventlog.public(row))
    return by_type


def _example_problems(toured: dict[str, list[dict[str, Any]]]) -> list[str]:
    classes = declared()
    problems: list[str] = []
    for example in examples():
        type_ = example["type"]
        if type_ not in classes:
            problems.append(f"{type_}: no area declares it")
        elif type_ in NOT_TOURED:
            fields = vars(classes[type_])["__dataclass_fields__"]
            problems += [f"{type_}: {k} is not a field" for k in example["data"] if k not in fields]
        else:
            problems += [f"{type_}: {p}" for p in _compare(example, toured.get(type_, []))]
    return problems


def test_the_examples_and_subjects_are_what_the_code_emits(site: Api, spine: Spine) -> None:
    """One tour (a few seconds): each example body names only fields the code emits (its
    type must be toured, or be NOT_TOURED), each table row the subject the tour saw."""
    toured = _toured(spine)
    problems = _example_problems(toured)
    assert not problems, "docs/webhooks.md, example bodies:\n" + "\n".join(problems)
    wrong = [
        f"{type_}: documented {prefix}:..., emitted {events[0]['subject']}"
        for type_, prefix in documented().items()
        if (events := toured.get(type_)) and events[0]["subject"].split(":")[0] != prefix
    ]
    assert not wrong, "docs/webhooks.md, Catalogue subjects:\n" + "\n".join(wrong)
