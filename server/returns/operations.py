"""Returns' operations, served by the API under /api/v1 and by the CLI (docs/api.md,
"Returns"; docs/returns.md): the grading trees (admin) and closing an RMA with its
missing units (admin: a supervisor's decision)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from server.operations import Call, Cli, CliGroup, Operation
from server.returns.grading import GradingIn
from server.returns.handlers import CloseReturn
from server.returns.store import ReplaceGrading, trees

TAG = "returns"
GROUP = CliGroup("returns", "The return zone: grading trees, closing RMAs")


class GradingOut(BaseModel):
    trees: list[dict[str, Any]]


class ClosedOut(BaseModel):
    rma_id: str
    status: str
    missing: list[dict[str, Any]]


def _trees(call: Call) -> dict[str, Any]:
    return {"trees": trees()}


OPERATIONS = (
    Operation(
        "PUT",
        "/returns/grading",
        "Replace the grading trees (by product category; one is the default)",
        TAG,
        "admin",
        command=lambda c: ReplaceGrading([t.model_dump() for t in c.body.trees]),
        body=GradingIn,
        response=("The trees", GradingOut),
    ),
    Operation(
        "GET",
        "/returns/grading",
        "The grading trees (the built-in default while none was set)",
        TAG,
        "admin",
        read=_trees,
        response=("The trees", GradingOut),
        cli=Cli(GROUP, "grading"),
    ),
    Operation(
        "POST",
        "/returns/<rma_id>/close",
        "Close an RMA now: the units not received are recorded as missing",
        TAG,
        "admin",
        command=lambda c: CloseReturn(c.rma_id),
        response=("The RMA closed", ClosedOut),
        cli=Cli(GROUP, "close"),
    ),
)
