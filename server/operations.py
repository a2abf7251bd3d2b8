"""Admin and OMS operations declared once, as data: the API serves each as a route
(server/api/), the CLI as a command (server/cli/), so the two cannot drift.

An operation either runs a command through the spine (`command` builds it from the path
arguments and the validated body or query) or answers a read (`read`). Areas list their
operations in their Area (server/area.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel


@dataclass(frozen=True)
class Operation:
    method: str  # GET, POST, PUT, DELETE
    path: str  # a Flask rule under /api/v1, e.g. "/picking/orders/<external_id>/hold"
    summary: str
    tag: str
    access: str  # an API-key scope: "oms" or "admin"
    # (**path_args, body=..., query=...) -> the command the spine runs for this operation
    command: Callable[..., Any] | None = None
    # (**path_args, body=..., query=...) -> the JSON answer of a read
    read: Callable[..., Any] | None = None
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: tuple[str, type[BaseModel] | None] = ("OK", None)
    cli: str | None = None  # the command's name in its area's CLI group; None: API only

    def __post_init__(self) -> None:
        if (self.command is None) == (self.read is None):
            raise ValueError(f"{self.method} {self.path}: give exactly one of command / read")

    @property
    def path_args(self) -> list[str]:
        return re.findall(r"<(?:\w+:)?(\w+)>", self.path)
