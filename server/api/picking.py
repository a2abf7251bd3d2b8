"""Picking API: totes (OMS) and the supervisor's levers (admin): hold/release orders,
list/reassign/unassign batches, count tasks, put-backs after a late cancel, waves."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from flask import Blueprint
from pydantic import BaseModel, Field

from server.api.catalog import api_actor
from server.api.routing import operation
from server.api.schemas import Strict
from server.models import CountTask, PickBatch, naive_utc
from server.orders.holds import HoldOrder, ReleaseOrder
from server.picking.handlers import AssignBatch, CompleteCount
from server.picking.put_backs import CompletePutBack, pending_put_backs
from server.picking.views import batch_view, count_task_view
from server.picking.waves import ReleaseWave
from server.runtime import runtime
from server.totes.handlers import UpsertTotes

bp = Blueprint("picking", __name__, url_prefix="/api/v1")
CODE = r"^[\x21-\x7e]{1,64}$"


class ToteIn(Strict):
    code: str = Field(pattern=CODE, description="The tote's barcode")


class ToteBatch(Strict):
    totes: list[ToteIn] = Field(min_length=1, max_length=1000)


class ToteResult(BaseModel):
    created: int
    unchanged: int


class HoldIn(Strict):
    reason: str = Field(default="", max_length=500)


class HoldOut(BaseModel):
    external_id: str
    held: bool
    reason: str | None = None


class ReassignIn(Strict):
    badge: str = Field(min_length=1, max_length=64)


class BatchQuery(BaseModel):
    status: Literal["open", "assigned", "dropped"] | None = None


class BatchOut(BaseModel):
    batch_id: str
    status: str
    operator: str | None
    orders: list[dict[str, Any]]
    tasks: dict[str, int]
    drop_location: str | None
    created_at: str | None
    updated_at: str | None


class BatchList(BaseModel):
    data: list[BatchOut]


class CountIn(Strict):
    counted: int = Field(ge=0, le=10_000_000)


class CountOut(BaseModel):
    id: int
    location: str
    sku: str
    reason: str
    status: str
    counted: int | None
    created_at: str | None
    done_at: str | None


class CountList(BaseModel):
    data: list[CountOut]


class WaveIn(Strict):
    limit: int = Field(ge=1, le=10_000, description="How many orders at most (required)")
    ship_by_before: dt.datetime | None = Field(
        default=None, description="Only orders due before this time (RFC 3339)"
    )
    channel: str | None = Field(default=None, min_length=1, max_length=32)


class WaveOut(BaseModel):
    released: list[str]
    count: int


class PutBackIn(Strict):
    location: str = Field(pattern=CODE, description="Where the units went back (code or barcode)")


class PutBackOut(BaseModel):
    tote: str
    order: str
    status: str
    location: str | None
    units: int
    created_at: str
    done_at: str | None


class PutBackList(BaseModel):
    data: list[PutBackOut]


class PutBackDone(BaseModel):
    tote: str
    order: str
    location: str
    units: int


def _run(command: Any) -> Any:
    return runtime().spine.execute(command, api_actor()).result


@operation(
    bp,
    "/totes",
    "PUT",
    access="oms",
    tag="picking",
    body=ToteBatch,
    summary="Register reusable totes (existing codes are left as they are)",
    responses={200: ("How many were created", ToteResult)},
)
def put_totes(body: ToteBatch) -> Any:
    return _run(UpsertTotes([t.code for t in body.totes]))


@operation(
    bp,
    "/picking/orders/<external_id>/hold",
    "POST",
    access="admin",
    tag="picking",
    body=HoldIn,
    summary="Hold an order back from picking",
    responses={200: ("The order is held", HoldOut)},
)
def hold_order(external_id: str, body: HoldIn) -> Any:
    return _run(HoldOrder(external_id, body.reason))


@operation(
    bp,
    "/picking/orders/<external_id>/release",
    "POST",
    access="admin",
    tag="picking",
    summary="Release a held order for picking",
    responses={200: ("The order is released", HoldOut)},
)
def release_order(external_id: str) -> Any:
    return _run(ReleaseOrder(external_id))


@operation(
    bp,
    "/picking/batches",
    "GET",
    access="admin",
    tag="picking",
    query=BatchQuery,
    summary="Pick batches, newest first",
    responses={200: ("Batches", BatchList)},
)
def list_batches(query: BatchQuery) -> Any:
    rows = PickBatch.select().order_by(PickBatch.id.desc()).limit(200)
    if query.status:
        rows = rows.where(PickBatch.status == query.status)
    return {"data": [batch_view(b) for b in rows]}


@operation(
    bp,
    "/picking/batches/<batch_id>/reassign",
    "POST",
    access="admin",
    tag="picking",
    body=ReassignIn,
    summary="Give a batch to another picker",
    responses={200: ("The batch", BatchOut)},
)
def reassign_batch(batch_id: str, body: ReassignIn) -> Any:
    return _run(AssignBatch(batch_id, body.badge))


@operation(
    bp,
    "/picking/batches/<batch_id>/unassign",
    "POST",
    access="admin",
    tag="picking",
    summary="Take a batch from its picker; the next picker gets it",
    responses={200: ("The batch", BatchOut)},
)
def unassign_batch(batch_id: str) -> Any:
    return _run(AssignBatch(batch_id, None))


@operation(
    bp,
    "/picking/count-tasks",
    "GET",
    access="admin",
    tag="picking",
    summary="Open count tasks (locations to count after a short pick)",
    responses={200: ("Count tasks", CountList)},
)
def list_count_tasks() -> Any:
    rows = CountTask.select().where(CountTask.status == "open").order_by(CountTask.id)
    return {"data": [count_task_view(t) for t in rows]}


@operation(
    bp,
    "/picking/count-tasks/<int:task_id>/complete",
    "POST",
    access="admin",
    tag="picking",
    body=CountIn,
    summary="Enter a count; stock is adjusted to it (inventory.adjusted)",
    responses={200: ("The count task", CountOut)},
)
def complete_count(task_id: int, body: CountIn) -> Any:
    return _run(CompleteCount(task_id, body.counted))


@operation(
    bp,
    "/picking/waves",
    "POST",
    access="admin",
    tag="picking",
    body=WaveIn,
    summary="Release a wave: orders waiting for release (picking.release = manual), most urgent first",
    responses={200: ("The orders released", WaveOut)},
)
def release_wave(body: WaveIn) -> Any:
    return _run(ReleaseWave(body.limit, naive_utc(body.ship_by_before), body.channel))


@operation(
    bp,
    "/picking/put-backs",
    "GET",
    access="admin",
    tag="picking",
    summary="Totes waiting to be put back (orders cancelled after their tote reached the pack zone)",
    responses={200: ("Pending put-backs, oldest first", PutBackList)},
)
def list_put_backs() -> Any:
    return {"data": pending_put_backs()}


@operation(
    bp,
    "/picking/put-backs/<tote>/complete",
    "POST",
    access="admin",
    tag="picking",
    body=PutBackIn,
    summary="The tote's units are back on a shelf: stock returns there, the tote is free",
    responses={200: ("The put-back", PutBackDone)},
)
def complete_put_back(tote: str, body: PutBackIn) -> Any:
    return _run(CompletePutBack(tote, body.location))
