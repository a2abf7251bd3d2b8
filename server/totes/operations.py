"""Registering totes (the OMS): PUT /api/v1/totes (docs/picking.md, "API")."""

from __future__ import annotations

from pydantic import BaseModel, Field

from server.operations import Operation, Strict
from server.totes.handlers import UpsertTotes

CODE = r"^[\x21-\x7e]{1,64}$"


class ToteIn(Strict):
    code: str = Field(pattern=CODE, description="The tote's barcode")


class ToteBatch(Strict):
    totes: list[ToteIn] = Field(min_length=1, max_length=1000)


class ToteResult(BaseModel):
    created: int
    unchanged: int


OPERATIONS = (
    Operation(
        "PUT",
        "/totes",
        "Register reusable totes (existing codes are left as they are)",
        "picking",
        "oms",
        command=lambda c: UpsertTotes([t.code for t in c.body.totes]),
        body=ToteBatch,
        response=("How many were created", ToteResult),
    ),
)
