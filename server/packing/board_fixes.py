"""Packing's supervisor exceptions on the board (server/area.py `ExceptionKind`): a weight
outside the tolerance (approve it with a reason, as a supervisor's PIN at the station does,
or refuse it: the packer weighs again), units short at the pack station (release the
order's hold once the stock is found) and an order cancelled after packing."""

from __future__ import annotations

from typing import Any

from server.area import ExceptionKind, Fix
from server.errors import Conflict, InvalidInput, field_error
from server.models import Order
from server.orders import board_fixes as orders
from server.packing import jobs
from server.packing.endings import PACK_SHORT, PACKED_CANCELLED
from server.packing.screens import OVERRIDE_REASONS
from server.packing.store import job_of_order, load
from server.spine import Unit


def _mismatched(view: dict[str, Any]) -> tuple[Any, Any] | None:
    """The open pack job's work and the package the exception is about, if still waiting."""
    order = Order.get_or_none(Order.external_id == orders.order_of(view))
    job = job_of_order(order) if order is not None else None
    if job is None:
        return None
    work = load(job)
    seq = (view.get("data") or {}).get("package")
    package = next((p for p in work.live_packages if p.seq == seq), None)
    if package is None or package.status == "weighed":
        return None
    return work, package


def _approve(unit: Unit, view: dict[str, Any], reason: str | None) -> str:
    if reason not in OVERRIDE_REASONS.values():
        raise InvalidInput("choose the reason", [field_error("value", "one of the reasons")])
    found = _mismatched(view)
    if found is None:
        raise Conflict("this package is not waiting for an override any more")
    work, package = found
    jobs.approve(work, package, unit.actor.id, str(reason), unit)  # resolves the exception
    return f"weight of package {package.seq} approved: {reason}"


def _refuse(unit: Unit, view: dict[str, Any], _value: str | None) -> str:
    if _mismatched(view) is None:
        raise Conflict("this package is not waiting for an override any more")
    seq = (view.get("data") or {}).get("package")
    return f"override of package {seq} refused: the packer checks the units and weighs again"


KINDS = (
    ExceptionKind(
        jobs.WEIGHT_MISMATCH,
        "Weight mismatch",
        urgency=80,
        fixes=(
            Fix(
                "approve",
                "Approve the weight…",
                _approve,
                choose="reason",
                options=tuple(OVERRIDE_REASONS.values()),
                offered=lambda v: _mismatched(v) is not None,
            ),
            Fix(
                "refuse",
                "Refuse: weigh again",
                _refuse,
                offered=lambda v: _mismatched(v) is not None,
            ),
        ),
    ),
    ExceptionKind(PACK_SHORT, "Short at packing", urgency=70, fixes=(orders.RELEASE,)),
    ExceptionKind(PACKED_CANCELLED, "Cancelled after packing", urgency=65),
)
