"""Operations declared once as data (server/operations.py): every one an API route with its
access rule, every Cli a `floorlink` command."""

from __future__ import annotations

import click
import pytest
from flask import Flask

from server.areas import AREAS
from server.cli import cli
from server.cli.operations import command
from server.operations import Call, Cli, CliGroup, Operation, Strict

OPERATIONS = [(area.name, op) for area in AREAS for op in area.operations]


def test_every_operation_is_a_route_with_its_access_rule(app: Flask) -> None:
    routes = {}
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        for method in rule.methods or ():
            routes[(method, rule.rule)] = getattr(view, "access_rule", None)
    assert len(OPERATIONS) >= 25
    for area, op in OPERATIONS:
        assert routes.get((op.method, "/api/v1" + op.path)) == op.access, (area, op.path)


def test_every_cli_of_an_operation_is_a_command() -> None:
    declared = [(op, spec) for _, op in OPERATIONS for spec in op.clis]
    assert {spec.group.name for _, spec in declared} == {
        "picking", "packing", "operator", "device", "webhook", "returns", "dispatch", "coldchain"
    }  # fmt: skip
    for op, spec in declared:
        group = cli.commands[spec.group.name]
        assert isinstance(group, click.Group)
        found = group.commands[spec.name]
        arguments = [p.name for p in found.params if isinstance(p, click.Argument)]
        assert arguments == [*op.path_args, *spec.args], (spec.group.name, spec.name)


class _Body(Strict):
    name: str


def test_a_cli_naming_no_field_of_the_body_is_refused() -> None:
    op = Operation("POST", "/x", "x", "x", "admin", command=lambda c: None, body=_Body)
    with pytest.raises(RuntimeError, match="no field 'nmae'"):
        command(op, Cli(CliGroup("x", "x"), "x", args=("nmae",)))
    with pytest.raises(ValueError, match="exactly one of command / read"):
        Operation("GET", "/x", "x", "x", "admin")


def test_a_call_names_its_path_arguments() -> None:
    call = Call({"badge": "B-1"}, body="b")
    assert (call.badge, call.body, call.query) == ("B-1", "b", None)
    with pytest.raises(AttributeError):
        _ = call.nothing
