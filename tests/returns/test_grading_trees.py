"""Grading trees: what PUT /api/v1/returns/grading accepts and refuses (table tests), the
walk over a tree, and hypothesis over generated trees: any tree the API accepts ends every
path in a grade and a disposition."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from server.returns.demo import TREES
from server.returns.grading import (
    DEFAULT_TREE,
    DISPOSITIONS,
    MAX_DEPTH,
    GradingIn,
    asked,
    is_outcome,
    paths,
    tree_for,
    walk,
)
from tests.fixtures.app import Api


def _out(grade: str = "A", disposition: str = "restock") -> dict[str, Any]:
    return {"grade": grade, "disposition": disposition}


def _q(id_: str, *thens: dict[str, Any]) -> dict[str, Any]:
    return {"id": id_, "text": f"{id_}?",
            "answers": [{"id": f"a{i}", "label": f"A{i}", "then": t} for i, t in enumerate(thens)]}  # fmt: skip


def _tree(root: dict[str, Any], **kw: Any) -> dict[str, Any]:
    return {"id": "t", "categories": [], "default": True, "root": root} | kw


def _deep(depth: int) -> dict[str, Any]:
    node: dict[str, Any] = _out()
    for n in range(depth):
        node = _q(f"q{n}", node, _out("D", "scrap"))
    return node


REFUSED = [
    ("no trees", {"trees": []}),
    (
        "a question with one answer",
        {
            "trees": [
                _tree(
                    {
                        "id": "q",
                        "text": "q?",
                        "answers": [{"id": "a", "label": "A", "then": _out()}],
                    }
                )
            ]
        },
    ),  # fmt: skip
    ("an answer that leads nowhere", {"trees": [_tree(_q("q", _out(), {}))]}),
    ("an outcome without a disposition", {"trees": [_tree(_q("q", _out(), {"grade": "A"}))]}),
    ("an unknown disposition", {"trees": [_tree(_q("q", _out(), _out("A", "sell")))]}),
    ("an outcome that also asks", {"trees": [_tree(_q("q", _out(), _out() | {"id": "x"}))]}),
    (
        "two answers with one id",
        {
            "trees": [
                _tree(
                    {
                        "id": "q",
                        "text": "q?",
                        "answers": [
                            {"id": "a", "label": "A", "then": _out()},
                            {"id": "a", "label": "B", "then": _out()},
                        ],
                    }
                )
            ]
        },
    ),  # fmt: skip
    ("two questions with one id", {"trees": [_tree(_q("q", _q("q", _out(), _out()), _out()))]}),
    ("too deep", {"trees": [_tree(_deep(MAX_DEPTH + 1))]}),
    ("absurdly deep", {"trees": [_tree(_deep(400))]}),
    ("no default tree", {"trees": [_tree(_deep(1), default=False, categories=["tech"])]}),
    ("two default trees", {"trees": [_tree(_deep(1)), _tree(_deep(1), id="u")]}),
    (
        "a category in two trees",
        {
            "trees": [
                _tree(_deep(1)),
                _tree(_deep(1), id="u", default=False, categories=["tech"]),
                _tree(_deep(1), id="v", default=False, categories=["tech"]),
            ]
        },
    ),  # fmt: skip
    ("a tree for nothing", {"trees": [_tree(_deep(1)), _tree(_deep(1), id="u", default=False)]}),
    ("an unknown field", {"trees": [_tree(_deep(1)) | {"colour": "red"}]}),
    (
        "a blank label",
        {
            "trees": [
                _tree(
                    {
                        "id": "q",
                        "text": "  ",
                        "answers": [
                            {"id": "a", "label": "A", "then": _out()},
                            {"id": "b", "label": "B", "then": _out()},
                        ],
                    }
                )
            ]
        },
    ),  # fmt: skip
    ("an id with spaces", {"trees": [_tree(_deep(1), id="my tree")]}),
]


@pytest.mark.parametrize(("why", "body"), REFUSED, ids=[w for w, _ in REFUSED])
def test_a_tree_that_could_leave_a_unit_ungraded_is_refused(why: str, body: Any) -> None:
    with pytest.raises(ValidationError):
        GradingIn.model_validate(body)


def test_the_default_and_demo_trees_are_valid_and_end_every_path() -> None:
    accepted = GradingIn.model_validate({"trees": TREES}).model_dump()["trees"]
    assert len(accepted) == 4
    for tree in accepted:
        for _, end in paths(tree["root"]):
            assert is_outcome(end) and end["grade"] and end["disposition"] in DISPOSITIONS


WALKS = [
    (["yes"], {"grade": "A", "disposition": "restock"}),
    (["no", "yes", "yes"], {"grade": "C", "disposition": "refurbish"}),
    (["no", "yes", "no"], {"grade": "D", "disposition": "scrap"}),
    (["no", "no", "no"], {"grade": "C", "disposition": "refurbish"}),
    (["no", "no", "yes", "yes"], {"grade": "B", "disposition": "restock"}),
    (["no", "no", "yes", "no"], {"grade": "C", "disposition": "return_to_vendor"}),
]


@pytest.mark.parametrize(("answers", "outcome"), WALKS)
def test_the_default_tree_walks_to_its_grades(answers: list[str], outcome: Any) -> None:
    assert walk(DEFAULT_TREE["root"], answers) == outcome
    assert [a["answer"] for a in asked(DEFAULT_TREE["root"], answers)] == answers


def test_a_walk_off_the_tree_is_none() -> None:
    assert walk(DEFAULT_TREE["root"], ["maybe"]) is None
    assert walk(DEFAULT_TREE["root"], ["yes", "yes"]) is None  # past an outcome


@pytest.mark.parametrize(
    ("category", "tree"),
    [
        ("tech", "tech"),
        ("apparel", "apparel"),
        ("cosmetics", "food"),
        ("home", "general"),
        ("", "general"),
    ],  # fmt: skip
)
def test_the_tree_is_chosen_by_category(category: str, tree: str) -> None:
    trees = GradingIn.model_validate({"trees": TREES}).model_dump()["trees"]
    assert tree_for(trees, category)["id"] == tree


# -- hypothesis: generated trees, valid or not ----------------------------------------------

ids = st.sampled_from(["a", "b", "c", "yes", "no", "q1", "Bad Id", ""])
outcomes = st.fixed_dictionaries(
    {
        "grade": st.sampled_from(["A", "B", "", "C D"]),
        "disposition": st.sampled_from([*DISPOSITIONS, "sell", ""]),
    },  # fmt: skip
    optional={"id": ids},
)


def _question(children: Any) -> Any:
    answer = st.fixed_dictionaries(
        {"id": ids, "label": st.sampled_from(["Yes", "No", "", "Maybe"])},
        optional={"then": children},
    )
    return st.fixed_dictionaries(
        {
            "id": ids,
            "text": st.sampled_from(["Sealed?", "Works?", ""]),
            "answers": st.lists(answer, min_size=0, max_size=4),
        },  # fmt: skip
    )


nodes = st.recursive(outcomes | st.just({}), _question, max_leaves=12)
trees = st.fixed_dictionaries(
    {
        "id": ids,
        "root": nodes,
        "default": st.booleans(),
        "categories": st.lists(st.sampled_from(["tech", "food"]), max_size=2),
    },  # fmt: skip
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(trees, min_size=0, max_size=3))
def test_any_tree_accepted_ends_every_path_in_a_grade_and_a_disposition(body: Any) -> None:
    try:
        accepted = GradingIn.model_validate({"trees": copy.deepcopy(body)})
    except ValidationError:
        return
    for tree in accepted.model_dump()["trees"]:
        ends = list(paths(tree["root"]))
        assert ends
        for answers, end in ends:
            assert is_outcome(end), (answers, end)
            assert end["grade"] and end["disposition"] in DISPOSITIONS
            assert walk(tree["root"], answers) == end
            assert len(answers) <= MAX_DEPTH


# -- the API ----------------------------------------------------------------------------


def test_the_api_replaces_the_trees_for_admins_only(
    api: Api, admin_api: Api
) -> None:  # fmt: skip
    assert admin_api.get("/returns/grading").json["trees"][0]["id"] == "general"
    body = {"trees": TREES}
    r = api.put("/returns/grading", body)
    assert r.status_code == 403, r.json  # an OMS key
    r = admin_api.put("/returns/grading", body)
    assert r.status_code == 200, r.json
    assert [t["id"] for t in admin_api.get("/returns/grading").json["trees"]] == [
        "tech", "apparel", "food", "general"]  # fmt: skip


@pytest.mark.parametrize(("why", "body"), REFUSED[:6], ids=[w for w, _ in REFUSED[:6]])
def test_the_api_refuses_a_bad_tree_with_a_problem(why: str, body: Any, admin_api: Api) -> None:
    r = admin_api.put("/returns/grading", body)
    assert r.status_code == 422, r.json
    assert r.headers["Content-Type"] == "application/problem+json"
    assert r.json["errors"]
    assert admin_api.get("/returns/grading").json["trees"][0]["id"] == "general"  # unchanged


def test_the_api_refuses_a_hostile_nesting_without_a_500(admin_api: Api) -> None:
    depth = 50_000
    raw = '{"trees": [' + '{"then": ' * depth + "{}" + "}" * depth + "]}"
    r = admin_api.client.put(
        "/api/v1/returns/grading", data=raw, content_type="application/json",
        headers={"Authorization": f"Bearer {admin_api.key}"},
    )  # fmt: skip
    assert r.status_code in (400, 422), r.json
