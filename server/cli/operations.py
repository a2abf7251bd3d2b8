"""The areas' operations (server/operations.py) as `floorlink` commands: one click group per
`CliGroup` (`floorlink picking ...`, `operator`, `device`, `webhook`), one command per `Cli`.

The path arguments become click arguments, then the body fields the `Cli` names in `args`;
the other fields of the body or query become `--options`, typed, defaulted and documented
from their pydantic fields (a Literal is a choice, an int with bounds a range, a list a
repeatable option or one comma-separated value, a bool a --x/--no-x flag, a datetime an ISO
8601 time read as UTC when it has no offset). What was given is validated with the same
model as the API's, run through `Context.run` (as `cli:<user>`, the same bootstrap as the
server) and printed by the Cli's renderer, JSON by default.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import types
import typing
from typing import Annotated, Any, Literal, get_args, get_origin

import click
from pydantic import AwareDatetime, BaseModel, ValidationError
from pydantic.fields import FieldInfo

from server.areas import AREAS
from server.operations import Call, Cli, CliGroup, Operation, Opt, Printed


def register(cli: click.Group) -> None:
    for area in AREAS:
        for op in area.operations:
            for spec in op.clis:
                commands = group(cli, spec.group)
                if spec.name in commands.commands:
                    raise RuntimeError(f"floorlink {spec.group.name} {spec.name} is declared twice")
                commands.add_command(command(op, spec))


def group(cli: click.Group, spec: CliGroup) -> click.Group:
    """The group `spec` names, made on first use (bespoke commands join it the same way)."""
    found = cli.commands.get(spec.name)
    if found is None:
        found = click.Group(spec.name, help=spec.help)
        cli.add_command(found)
    if not isinstance(found, click.Group):
        raise RuntimeError(f"floorlink {spec.name} is a command, not a group")
    return found


def command(op: Operation, spec: Cli) -> click.Command:
    if op.body is not None and op.query is not None:
        raise RuntimeError(f"{op.method} {op.path}: a command takes a body or a query, not both")
    model = op.body or op.query
    fields: dict[str, FieldInfo] = dict(model.model_fields) if model is not None else {}
    offered = [
        name
        for name in (spec.fields if spec.fields is not None else fields)
        if name not in spec.fixed
    ]
    for name in (*offered, *spec.args, *spec.fixed, *spec.opts):
        if name not in fields:
            raise RuntimeError(f"floorlink {spec.group.name} {spec.name}: no field {name!r}")
    params: list[click.Parameter] = [
        click.Argument([name], type=_path_type(op, name)) for name in op.path_args
    ]
    params += [_argument(name, fields[name]) for name in spec.args]
    params += [
        _option(name, fields[name], spec.opts.get(name, Opt()))
        for name in offered
        if name not in spec.args
    ]

    def callback(**values: Any) -> None:
        ctx = click.get_current_context()
        args = {name: values.pop(name) for name in op.path_args}
        given = _given(values, spec)
        checked = _validated(model, given, ctx.command.params) if model is not None else None
        obj = ctx.obj
        settings = obj.runtime().settings
        call = Call(
            args,
            body=checked if op.body is not None else None,
            query=checked if op.query is not None else None,
            settings=settings,
        )
        if op.command is not None:
            build = op.command
            result = obj.run(lambda: build(call))
        else:
            read = spec.read or op.read
            assert read is not None
            result = obj.read(lambda: read(call))
        _print(spec.render(call, result) if spec.render is not None else result)

    return click.Command(spec.name, callback=callback, params=params, help=spec.help or op.summary)


# -- parameters from pydantic fields ---------------------------------------------------------


class IsoTime(click.ParamType):
    """An ISO 8601 time (`2030-01-02`, `2030-01-02T08:00`, `...T08:00Z`, `...+02:00`), in
    UTC when it gives no offset."""

    name = "ISO 8601 time"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, dt.datetime):
            return value
        try:
            parsed = dt.datetime.fromisoformat(str(value))
        except ValueError:
            self.fail(f"not an ISO 8601 time: {value}", param, ctx)
        return parsed.replace(tzinfo=dt.UTC) if parsed.tzinfo is None else parsed


def _path_type(op: Operation, name: str) -> click.ParamType:
    converter = re.search(rf"<(\w+):{name}>", op.path)
    return click.INT if converter and converter.group(1) == "int" else click.STRING


def _argument(name: str, info: FieldInfo) -> click.Argument:
    kind, many = _kind(info)
    if many:
        raise RuntimeError(f"field {name!r}: a list cannot be a positional argument")
    return click.Argument([name], type=_type(kind, info))


def _option(name: str, info: FieldInfo, opt: Opt) -> click.Option:
    kind, many = _kind(info)
    flag = opt.flag or "--" + name.replace("_", "-")
    help_ = opt.help or info.description
    required = info.is_required() and opt.default is None
    default = opt.default if opt.default is not None else _default(info)
    if kind is bool:
        bare = flag.removeprefix("--")
        return click.Option(
            [f"--{bare}/--no-{bare}", name], default=default, required=required, help=help_
        )
    if many and opt.comma:
        return click.Option([flag, name], required=required, help=help_)
    extra: dict[str, Any] = {}
    if default is not None and not many:
        extra["default"] = default
    if opt.default is not None:
        extra["show_default"] = True
    return click.Option(
        [flag, name], type=_type(kind, info), multiple=many, required=required, help=help_, **extra
    )


def _default(info: FieldInfo) -> Any:
    if info.is_required() or info.default_factory is not None:
        return None
    return info.default


def _kind(info: FieldInfo) -> tuple[Any, bool]:
    """The scalar type of a field (Optional and Annotated taken off) and whether it is a list."""
    kind = _bare(info.annotation)
    if get_origin(kind) is list:
        return _bare(get_args(kind)[0]), True
    return kind, False


def _bare(annotation: Any) -> Any:
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            rest = [a for a in get_args(annotation) if a is not type(None)]
            if len(rest) != 1:
                return str
            annotation = rest[0]
        else:
            return annotation


def _type(kind: Any, info: FieldInfo) -> click.ParamType:
    if get_origin(kind) is Literal:
        return click.Choice([str(v) for v in get_args(kind)])
    if kind is int:
        low = next((m.ge for m in info.metadata if hasattr(m, "ge")), None)
        high = next((m.le for m in info.metadata if hasattr(m, "le")), None)
        return click.IntRange(low, high) if low is not None or high is not None else click.INT
    if kind is AwareDatetime or (isinstance(kind, type) and issubclass(kind, dt.datetime)):
        return IsoTime()
    return click.STRING


# -- what was given, validated as the API validates it ---------------------------------------


def _given(values: dict[str, Any], spec: Cli) -> dict[str, Any]:
    given: dict[str, Any] = dict(spec.fixed)
    for name, value in values.items():
        if value is None or value == ():
            continue  # left out: the model's default
        if spec.opts.get(name, Opt()).comma:
            value = [part.strip() for part in value.split(",") if part.strip()]
        elif isinstance(value, tuple):
            value = list(value)
        given[name] = value
    return given


def _validated(model: type[BaseModel], given: dict[str, Any], params: list[Any]) -> BaseModel:
    try:
        return model.model_validate_json(json.dumps(given, default=_json))
    except ValidationError as exc:
        hints = {p.name: _hint(p) for p in params}
        problems = []
        for err in exc.errors(include_url=False, include_input=False):
            name = str(err["loc"][0]) if err["loc"] else ""
            problems.append(f"{hints.get(name, name or 'input')}: {err['msg']}")
        raise click.UsageError("; ".join(problems)) from None


def _hint(param: click.Parameter) -> str:
    if isinstance(param, click.Option):
        return param.opts[0]
    return (param.name or "").upper()


def _json(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def _print(output: Any) -> None:
    if isinstance(output, Printed):
        if output.out:
            click.echo(output.out)
        if output.err:
            click.echo(output.err, err=True)
    elif isinstance(output, str):
        if output:
            click.echo(output)
    else:
        click.echo(json.dumps(output, indent=2, default=str))
