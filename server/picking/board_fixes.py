"""Picking's supervisor exceptions and their one-tap fixes on the board (server/area.py
`ExceptionKind`): a short pick (reassign or unassign its batch, count the location, hold
the order) and a cancelled order's tote at the pack zone (confirm the put-back)."""

from __future__ import annotations

from typing import Any

from server.area import ExceptionKind, Fix
from server.errors import Conflict, InvalidInput, NotFound, field_error
from server.models import CountTask, FloorOperator, Location, PickBatch, PickTask, Product
from server.models.picking import BatchStatus, CountStatus
from server.orders import board_fixes as orders
from server.picking.endings import PUT_BACK_EXCEPTION
from server.picking.handlers import AssignBatch, CompleteCount, assign_batch, complete_count
from server.picking.put_backs import CompletePutBack, complete_put_back
from server.spine import Unit


def _batch(view: dict[str, Any]) -> PickBatch | None:
    data = view.get("data") or {}
    if data.get("batch"):
        return PickBatch.get_or_none(PickBatch.batch_id == data["batch"])
    task = PickTask.get_or_none(PickTask.id == data.get("task"))
    return task.batch if task is not None else None


def _batch_id(view: dict[str, Any]) -> str:
    batch = _batch(view)
    if batch is None:
        raise NotFound("the batch of this exception is gone")
    return str(batch.batch_id)


def _movable(view: dict[str, Any]) -> bool:
    batch = _batch(view)
    return batch is not None and batch.status != BatchStatus.DROPPED


def _reassign(unit: Unit, view: dict[str, Any], badge: str | None) -> str:
    if not badge:
        raise InvalidInput("choose a picker", [field_error("value", "a badge on the floor")])
    picker = FloorOperator.get_or_none(FloorOperator.badge == badge)
    if picker is None or not picker.active or "picker" not in (picker.roles or []):
        raise InvalidInput("not a picker", [field_error("value", f"{badge} is not a picker")])
    batch_id = _batch_id(view)
    assign_batch(AssignBatch(batch_id, badge), unit)
    return f"batch {batch_id} reassigned to {badge}"


def _unassign(unit: Unit, view: dict[str, Any], _value: str | None) -> str:
    batch_id = _batch_id(view)
    assign_batch(AssignBatch(batch_id, None), unit)
    return f"batch {batch_id} unassigned: it waits for the next picker"


def _count_task(view: dict[str, Any]) -> CountTask | None:
    data = view.get("data") or {}
    return (
        CountTask.select()
        .join(Location, on=CountTask.location == Location.id)
        .switch(CountTask)
        .join(Product, on=CountTask.product == Product.id)
        .where(
            Location.code == data.get("location"),
            Product.sku == data.get("sku"),
            CountTask.status == CountStatus.OPEN,
        )
        .first()
    )


def _count(unit: Unit, view: dict[str, Any], value: str | None) -> str:
    task = _count_task(view)
    if task is None:
        raise Conflict("there is no open count task for this location any more")
    try:
        counted = int(str(value))
    except ValueError:
        raise InvalidInput("key the count", [field_error("value", "a whole number")]) from None
    if counted < 0:
        raise InvalidInput("key the count", [field_error("value", "0 or more")])
    complete_count(CompleteCount(task.id, counted), unit)
    data = view.get("data") or {}
    return f"{data.get('location')} counted: {counted} {data.get('sku')}"


def _put_back(unit: Unit, view: dict[str, Any], location: str | None) -> str:
    tote = (view.get("data") or {}).get("tote") or ""
    if not location:
        raise InvalidInput("say where", [field_error("value", "the location put back to")])
    complete_put_back(CompletePutBack(tote, location.strip()), unit)
    return f"tote {tote} put back to {location.strip()}"


KINDS = (
    ExceptionKind(
        "short_pick",
        "Short pick",
        urgency=70,
        fixes=(
            Fix("reassign", "Reassign the batch", _reassign, choose="picker", offered=_movable),
            Fix("unassign", "Unassign the batch", _unassign, offered=_movable),
            Fix(
                "count",
                "Count the location",
                _count,
                choose="number",
                offered=lambda v: _count_task(v) is not None,
            ),
            orders.HOLD,
        ),
    ),
    ExceptionKind(
        PUT_BACK_EXCEPTION,
        "Put-back at the pack zone",
        urgency=55,
        fixes=(Fix("put_back", "Put back to…", _put_back, choose="location"),),
    ),
)
