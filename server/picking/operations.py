"""The supervisor's levers on picking (admin), served by the API under /api/v1/picking and
by `floorlink picking ...`: hold/release orders, list/reassign/unassign batches, count
tasks, put-backs after a late cancel, waves (docs/picking.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

from server.models import CountTask, PickBatch, naive_utc
from server.models.picking import BatchStatus, CountStatus
from server.operations import Call, Cli, CliGroup, Operation, Opt, Strict
from server.orders.holds import HoldOrder, ReleaseOrder
from server.picking.handlers import AssignBatch, CompleteCount
from server.picking.put_backs import CompletePutBack, pending_put_backs
from server.picking.views import batch_view, count_task_view
from server.picking.waves import ReleaseWave

CODE = r"^[\x21-\x7e]{1,64}$"
PICKING = CliGroup(
    "picking", "Supervise picking: hold/release orders, (re/un)assign batches, put-backs."
)
TAG = "picking"


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
    wave: str | None  # the wave made of them (None when none waited), to hold or release again
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


def _batches(call: Call) -> dict[str, Any]:
    rows = PickBatch.select().order_by(PickBatch.id.desc()).limit(200)
    if call.query.status:
        rows = rows.where(PickBatch.status == call.query.status)
    return {"data": [batch_view(b) for b in rows]}


def _batches_on_the_floor(call: Call) -> dict[str, Any]:
    """The CLI's list: every batch not yet dropped, oldest first."""
    rows = PickBatch.select().where(PickBatch.status != BatchStatus.DROPPED).order_by(PickBatch.id)
    return {"data": [batch_view(b) for b in rows]}


def _batch_table(call: Call, result: dict[str, Any]) -> str:
    return "\n".join(
        f"{b['batch_id']}\t{b['status']}\t{b['operator'] or '-'}\t"
        + ",".join(o["external_id"] for o in b["orders"])
        for b in result["data"]
    )


def _count_tasks(call: Call) -> dict[str, Any]:
    rows = CountTask.select().where(CountTask.status == CountStatus.OPEN).order_by(CountTask.id)
    return {"data": [count_task_view(t) for t in rows]}


OPERATIONS = (
    Operation(
        "POST",
        "/picking/orders/<external_id>/hold",
        "Hold an order back from picking",
        TAG,
        "admin",
        command=lambda c: HoldOrder(c.external_id, c.body.reason),
        body=HoldIn,
        response=("The order is held", HoldOut),
        cli=Cli(PICKING, "hold", "Hold an order back from picking."),
    ),
    Operation(
        "POST",
        "/picking/orders/<external_id>/release",
        "Release a held order for picking",
        TAG,
        "admin",
        command=lambda c: ReleaseOrder(c.external_id),
        response=("The order is released", HoldOut),
        cli=Cli(PICKING, "release", "Release a held order."),
    ),
    Operation(
        "GET",
        "/picking/batches",
        "Pick batches, newest first",
        TAG,
        "admin",
        read=_batches,
        query=BatchQuery,
        response=("Batches", BatchList),
        cli=Cli(
            PICKING,
            "batches",
            "List the batches not yet dropped.",
            fields=(),
            read=_batches_on_the_floor,
            render=_batch_table,
        ),
    ),
    Operation(
        "POST",
        "/picking/batches/<batch_id>/reassign",
        "Give a batch to another picker",
        TAG,
        "admin",
        command=lambda c: AssignBatch(c.batch_id, c.body.badge),
        body=ReassignIn,
        response=("The batch", BatchOut),
        cli=Cli(PICKING, "reassign", "Give a batch to another picker.", args=("badge",)),
    ),
    Operation(
        "POST",
        "/picking/batches/<batch_id>/unassign",
        "Take a batch from its picker; the next picker gets it",
        TAG,
        "admin",
        command=lambda c: AssignBatch(c.batch_id, None),
        response=("The batch", BatchOut),
        cli=Cli(PICKING, "unassign", "Take a batch from its picker; the next picker gets it."),
    ),
    Operation(
        "GET",
        "/picking/count-tasks",
        "Open count tasks (locations to count after a short pick)",
        TAG,
        "admin",
        read=_count_tasks,
        response=("Count tasks", CountList),
    ),
    Operation(
        "POST",
        "/picking/count-tasks/<int:task_id>/complete",
        "Enter a count; stock is adjusted to it (inventory.adjusted)",
        TAG,
        "admin",
        command=lambda c: CompleteCount(c.task_id, c.body.counted),
        body=CountIn,
        response=("The count task", CountOut),
    ),
    Operation(
        "POST",
        "/picking/waves",
        "Release a wave: orders waiting for release (picking.release = manual), most urgent first",
        TAG,
        "admin",
        command=lambda c: ReleaseWave(
            c.body.limit, naive_utc(c.body.ship_by_before), c.body.channel
        ),
        body=WaveIn,
        response=("The orders released", WaveOut),
        cli=Cli(
            PICKING,
            "wave",
            "Release a wave of orders waiting for release (picking.release = manual).",
            opts={
                "limit": Opt(default=1000, help="How many orders at most."),
                "ship_by_before": Opt(help="Only orders due before this time (UTC)."),
                "channel": Opt(help="Only orders of this sales channel."),
            },
        ),
    ),
    Operation(
        "GET",
        "/picking/put-backs",
        "Totes waiting to be put back (orders cancelled after their tote reached the pack zone)",
        TAG,
        "admin",
        read=lambda c: {"data": pending_put_backs()},
        response=("Pending put-backs, oldest first", PutBackList),
        cli=Cli(
            PICKING,
            "put-backs",
            "Totes waiting to be put back (orders cancelled after the pack zone).",
            render=lambda c, result: result["data"],
        ),
    ),
    Operation(
        "POST",
        "/picking/put-backs/<tote>/complete",
        "The tote's units are back on a shelf: stock returns there, the tote is free",
        TAG,
        "admin",
        command=lambda c: CompletePutBack(c.tote, c.body.location),
        body=PutBackIn,
        response=("The put-back", PutBackDone),
        cli=Cli(
            PICKING,
            "put-back",
            "The tote's units are back at LOCATION: stock returns there, the tote is free.",
            args=("location",),
        ),
    ),
)
