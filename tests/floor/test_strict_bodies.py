"""Every request body is strict: no coercion (`"active": 0` is not false), no unknown field,
no NaN; nested models too. Checked over every body model of the server, not one by one."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import typing
from typing import Any

from pydantic import BaseModel

import server
from server.areas import AREAS


def _models_in(annotation: Any) -> typing.Iterator[type[BaseModel]]:
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in typing.get_args(annotation):
        yield from _models_in(arg)


def request_bodies() -> set[type[BaseModel]]:
    for info in pkgutil.walk_packages(server.__path__, "server."):
        importlib.import_module(info.name)
    found: set[type[BaseModel]] = {op.body for a in AREAS for op in a.operations if op.body}

    def subclasses(cls: type) -> typing.Iterator[type]:
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    found |= {  # the routes' own bodies (the floor's, the board's), by the naming rule
        m
        for m in subclasses(BaseModel)
        if m.__module__.startswith("server.") and m.__name__.endswith(("In", "Patch", "Batch"))
    }
    every: set[type[BaseModel]] = set()
    todo = list(found)
    while todo:
        model = todo.pop()
        if model in every:
            continue
        every.add(model)
        for field in model.model_fields.values():
            todo.extend(_models_in(field.annotation))
    return every


def test_every_request_body_is_strict() -> None:
    bodies = request_bodies()
    assert len(bodies) > 30
    loose = [
        f"{m.__module__}.{m.__name__}"
        for m in bodies
        if not (m.model_config.get("strict") and m.model_config.get("extra") == "forbid")
    ]
    assert loose == []


def test_operator_patch_refuses_a_number_for_a_boolean(operator: Any, admin_api: Any) -> None:
    operator("B8", "picker")
    headers = {"Authorization": f"Bearer {admin_api.key}"}
    for loose in (0, 1, "false", "true"):
        r = admin_api.client.patch("/api/v1/operators/B8", json={"active": loose}, headers=headers)
        assert r.status_code == 422, (loose, r.json)
        assert r.mimetype == "application/problem+json"
    ok = admin_api.client.patch("/api/v1/operators/B8", json={"active": False}, headers=headers)
    assert ok.status_code == 200 and ok.json["active"] is False
