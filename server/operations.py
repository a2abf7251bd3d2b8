"""Admin and OMS operations declared once, as data: the API serves each as a route
(server/api/operations.py), the CLI as a command (server/cli/operations.py), so the two cannot
drift.

An operation either runs a command through the spine (`command` builds it from the `Call`:
the path arguments, the validated body or query, the settings) or answers a read (`read`).
The body and query are pydantic models: the API validates requests with them and documents
them in OpenAPI; the CLI derives its options from their fields and validates what it was
given with the same models. Areas list their operations in their Area (server/area.py), in
a module `server/<area>/operations.py`.

Also here, the building blocks of bodies every area shares (`Strict`, `Code`, `Text`,
`Timestamp`): an area's bodies cannot import them from server/api/, a higher layer.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, StringConstraints

# -- the building blocks of bodies -----------------------------------------------------------

# Codes (SKUs, locations, lots, ids) are printable ASCII without spaces; free text may be any
# Unicode except control characters (PostgreSQL refuses NUL; none belongs in a label).
CODE_PATTERN = r"^[\x21-\x7e]+$"
TEXT_PATTERN = r"^[^\x00-\x1f\x7f]*$"


def text(max_length: int, min_length: int = 0) -> StringConstraints:
    return StringConstraints(min_length=min_length, max_length=max_length, pattern=TEXT_PATTERN)


def _utc(value: dt.datetime) -> dt.datetime:
    """An aware timestamp moved to UTC; one that leaves the calendar there is refused."""
    try:
        return value.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        raise ValueError("the timestamp is out of range") from None


Code = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=CODE_PATTERN)]
Text = Annotated[str, text(200, min_length=1)]
Timestamp = Annotated[AwareDatetime, AfterValidator(_utc)]


class Strict(BaseModel):
    """A request body: unknown fields refused, no type coercion, no NaN or infinity."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


# -- operations ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """One call of an operation, from the API or the CLI: the path arguments (also as
    attributes: `call.external_id`), the validated body and query, and the settings of the
    running Floorlink."""

    args: Mapping[str, Any] = field(default_factory=dict)
    body: Any = None
    query: Any = None
    settings: Any = None  # server.config.Settings

    def __getattr__(self, name: str) -> Any:
        args = self.__dict__.get("args", {})
        if name in args:
            return args[name]
        raise AttributeError(name)


@dataclass(frozen=True)
class Printed:
    """What a CLI command prints: `out` on stdout, `err` (a note, e.g. "store the secret now")
    on stderr."""

    out: str
    err: str = ""


@dataclass(frozen=True)
class CliGroup:
    """A group of commands, `floorlink <name> ...`."""

    name: str
    help: str


@dataclass(frozen=True)
class Opt:
    """How one field of the body or query is given on the command line."""

    flag: str | None = None  # the option's name; default --<field-name>
    help: str | None = None  # default: the field's description
    default: Any = None  # a default of the CLI's own, for a field the API requires
    comma: bool = False  # a list given as one comma-separated value (--events a.*,b.*)


@dataclass(frozen=True)
class Cli:
    """An operation as a command of the `floorlink` CLI.

    The path arguments become arguments, in order, then the body fields named in `args`; the
    other fields of the body or query (those in `fields`, by default every one not `fixed`)
    become options, typed, defaulted and documented from the pydantic fields (`opts`
    overrides). The command runs as `cli:<user>` and prints `render(call, result)`: a string,
    a `Printed`, or anything else as JSON (the default: the result as JSON). `result` is
    what the command or the read returned, before the API's `answer`.
    """

    group: CliGroup
    name: str
    help: str | None = None  # default: the operation's summary
    args: tuple[str, ...] = ()
    fields: tuple[str, ...] | None = None
    fixed: Mapping[str, Any] = field(default_factory=dict)  # body values this command sets
    opts: Mapping[str, Opt] = field(default_factory=dict)
    render: Callable[[Call, Any], Any] | None = None
    # The CLI's own read where its selection differs from the API's (every batch not yet
    # dropped, where the API pages the newest).
    read: Callable[[Call], Any] | None = None


@dataclass(frozen=True)
class Document:
    """A read's answer that is a document, not JSON (a label as PDF, PNG or ZPL): the API
    serves the bytes with their media type."""

    content: bytes
    media_type: str
    filename: str


@dataclass(frozen=True)
class Operation:
    method: str  # GET, POST, PUT, PATCH, DELETE
    path: str  # a Flask rule under /api/v1, e.g. "/picking/orders/<external_id>/hold"
    summary: str
    tag: str
    access: str  # an API-key scope: "oms" or "admin"
    # Call -> the command the spine runs for this operation (as the API key, or cli:<user>)
    command: Callable[[Call], Any] | None = None
    # Call -> the JSON answer of a read
    read: Callable[[Call], Any] | None = None
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: tuple[str, type[BaseModel] | None] = ("OK", None)
    status: int = 200  # the HTTP status of a success (201: created)
    # (Call, the command's result) -> the API's answer, when it is not the result itself
    answer: Callable[[Call, Any], Any] | None = None
    cli: Cli | Sequence[Cli] = ()  # its commands in the CLI; none: API only

    def __post_init__(self) -> None:
        if (self.command is None) == (self.read is None):
            raise ValueError(f"{self.method} {self.path}: give exactly one of command / read")
        if self.read is not None and self.answer is not None:
            raise ValueError(f"{self.method} {self.path}: a read answers itself")

    @property
    def path_args(self) -> list[str]:
        return re.findall(r"<(?:\w+:)?(\w+)>", self.path)

    @property
    def clis(self) -> tuple[Cli, ...]:
        return (self.cli,) if isinstance(self.cli, Cli) else tuple(self.cli)
