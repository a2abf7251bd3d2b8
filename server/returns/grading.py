"""Grading trees: the one-tap questions a returns clerk answers about a unit, by product
category, each path ending in a grade and a disposition (docs/returns.md, "Grading trees").

Pure: the schema `PUT /api/v1/returns/grading` validates (strictly: a tree it accepts ends
every path in a grade and a disposition, tests/returns/test_grading_trees.py) and the walk
over a validated tree, kept as plain JSON:

    {"id": "tech", "categories": ["tech"], "default": false,
     "root": {"id": "sealed", "text": "Is it still sealed?", "answers": [
         {"id": "yes", "label": "Sealed", "then": {"grade": "A", "disposition": "restock"}},
         {"id": "no", "label": "Opened", "then": {"id": "working", "text": ..., ...}}]}}

A node is a question (`id`, `text`, two to six `answers`) or an outcome (`grade`,
`disposition`); an answer's `then` is the next node. Trees are trees by construction (no
references, so no cycles), at most MAX_DEPTH questions deep.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, model_validator

from server.operations import Strict

DISPOSITIONS = ("restock", "refurbish", "quarantine", "scrap", "return_to_vendor")
Disposition = Literal["restock", "refurbish", "quarantine", "scrap", "return_to_vendor"]
MAX_DEPTH = 8  # questions on one path
MAX_QUESTIONS = 200  # in one tree
MAX_NESTING = 4 * MAX_DEPTH + 8  # JSON levels under `trees`, refused before validating

Id = Annotated[str, StringConstraints(min_length=1, max_length=32, pattern=r"^[a-z0-9_]+$")]
Label = Annotated[str, StringConstraints(min_length=1, max_length=120, pattern=r"^[^\x00-\x1f\x7f]*\S[^\x00-\x1f\x7f]*$")]  # fmt: skip
Category = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[\x21-\x7e]+$")]


class Outcome(Strict):
    grade: Annotated[str, StringConstraints(min_length=1, max_length=32, pattern=r"^[\x21-\x7e]+$")]
    disposition: Disposition


class Answer(Strict):
    id: Id
    label: Label
    then: Question | Outcome


class Question(Strict):
    id: Id
    text: Label
    answers: list[Answer] = Field(min_length=2, max_length=6)

    @model_validator(mode="after")
    def _distinct_answers(self) -> Question:
        ids = [a.id for a in self.answers]
        if len(set(ids)) != len(ids):
            raise ValueError(f"question {self.id}: two answers share an id")
        return self


class Tree(Strict):
    id: Id
    categories: list[Category] = Field(default=[], max_length=100)
    default: bool = False  # grades every product whose category no other tree lists
    root: Question

    @model_validator(mode="after")
    def _shape(self) -> Tree:
        if not self.categories and not self.default:
            raise ValueError(f"tree {self.id}: give its categories, or make it the default")
        seen: set[str] = set()
        for question, depth in _questions(self.root):
            if depth > MAX_DEPTH:
                raise ValueError(f"tree {self.id}: more than {MAX_DEPTH} questions on a path")
            if question.id in seen:
                raise ValueError(f"tree {self.id}: two questions share the id {question.id}")
            seen.add(question.id)
            if len(seen) > MAX_QUESTIONS:
                raise ValueError(f"tree {self.id}: more than {MAX_QUESTIONS} questions")
        return self


class GradingIn(Strict):
    """PUT /api/v1/returns/grading: every tree, replacing the ones before."""

    trees: list[Tree] = Field(min_length=1, max_length=50)

    @model_validator(mode="before")
    @classmethod
    def _not_too_deep(cls, data: Any) -> Any:
        if _nesting(data) > MAX_NESTING:
            raise ValueError(f"the trees nest deeper than {MAX_DEPTH} questions")
        return data

    @model_validator(mode="after")
    def _one_tree_each(self) -> GradingIn:
        ids = [t.id for t in self.trees]
        if len(set(ids)) != len(ids):
            raise ValueError("two trees share an id")
        if sum(t.default for t in self.trees) != 1:
            raise ValueError("exactly one tree is the default (for products of any category)")
        owner: dict[str, str] = {}
        for tree in self.trees:
            for category in tree.categories:
                if (
                    owner.setdefault(category, tree.id) != tree.id
                    or tree.categories.count(category) > 1
                ):
                    raise ValueError(f"category {category} is graded by two trees")
        return self


Answer.model_rebuild()
Question.model_rebuild()


def _questions(root: Question) -> Iterator[tuple[Question, int]]:
    stack = [(root, 1)]
    while stack:
        question, depth = stack.pop()
        yield question, depth
        for answer in question.answers:
            if isinstance(answer.then, Question):
                stack.append((answer.then, depth + 1))


def _nesting(data: Any) -> int:
    """How many containers deep `data` goes (iterative: a hostile body cannot recurse)."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            deepest = max(deepest, depth)
            if depth > MAX_NESTING:
                return depth
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children)
    return deepest


# -- the walk, over a validated tree as JSON (what the database keeps) ------------------------


def is_outcome(node: dict[str, Any]) -> bool:
    return "disposition" in node


def tree_for(trees: list[dict[str, Any]], category: str) -> dict[str, Any]:
    """The tree that grades a product of `category`: the one listing it, else the default."""
    for tree in trees:
        if category and category in tree["categories"]:
            return tree
    for tree in trees:
        if tree["default"]:
            return tree
    return DEFAULT_TREE


def walk(root: dict[str, Any], answers: list[str]) -> dict[str, Any] | None:
    """The node reached from `root` by the answer ids given (None: an answer that is not
    offered there)."""
    node = root
    for answer_id in answers:
        if is_outcome(node):
            return None
        chosen = next((a for a in node["answers"] if a["id"] == answer_id), None)
        if chosen is None:
            return None
        node = chosen["then"]
    return node


def asked(root: dict[str, Any], answers: list[str]) -> list[dict[str, str]]:
    """The questions and answers as kept with the unit: [{question, text, answer, label}]."""
    out, node = [], root
    for answer_id in answers:
        chosen = next(a for a in node["answers"] if a["id"] == answer_id)
        out.append({"question": node["id"], "text": node["text"], "answer": chosen["id"],
                    "label": chosen["label"]})  # fmt: skip
        node = chosen["then"]
    return out


def paths(node: dict[str, Any]) -> Iterator[tuple[list[str], dict[str, Any]]]:
    """Every path from `node`: the answer ids and the node it ends in."""
    stack: list[tuple[list[str], dict[str, Any]]] = [([], node)]
    while stack:
        taken, here = stack.pop()
        if is_outcome(here) or not here.get("answers"):
            yield taken, here
            continue
        for answer in here["answers"]:
            stack.append(([*taken, answer["id"]], answer["then"]))


def _q(id_: str, text: str, *answers: tuple[str, str, dict[str, Any]]) -> dict[str, Any]:
    return {"id": id_, "text": text,
            "answers": [{"id": a, "label": label, "then": then} for a, label, then in answers]}  # fmt: skip


def _out(grade: str, disposition: str) -> dict[str, Any]:
    return {"grade": grade, "disposition": disposition}


# The tree used while none was set by the API (and the demo's default): sealed? → damaged?
# → complete? → working?
DEFAULT_TREE: dict[str, Any] = {
    "id": "general",
    "categories": [],
    "default": True,
    "root": _q(
        "sealed", "Is the original packaging still sealed?",
        ("yes", "Sealed", _out("A", "restock")),
        ("no", "Opened", _q(
            "damaged", "Is the product damaged?",
            ("yes", "Damaged", _q(
                "repairable", "Can it be repaired or re-packed?",
                ("yes", "Repairable", _out("C", "refurbish")),
                ("no", "Beyond repair", _out("D", "scrap")),
            )),
            ("no", "Not damaged", _q(
                "complete", "Is everything in the box (parts, manual, accessories)?",
                ("yes", "Complete", _q(
                    "working", "Does it work / look as new?",
                    ("yes", "As new", _out("B", "restock")),
                    ("no", "Faulty", _out("C", "return_to_vendor")),
                )),
                ("no", "Parts missing", _out("C", "refurbish")),
            )),
        )),
    ),
}  # fmt: skip
