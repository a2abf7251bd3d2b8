"""Pure screen builders of the pick flow (docs/architecture.md, Floor protocol): what the
picker sees.

Every screen names what is expected next in `target`, offers `home`, and shows the batch
progress. Error feedback is added by the flow with `Screen.with_feedback`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from server.floor.flow import Action, ActionInput, Screen
from server.picking.counting import SHORT_REASONS

HOME = Action("home", "Home")
SKIP = Action("skip", "Skip for now")
SHORT = Action("short", "Short pick")


def key_qty(remaining: int) -> Action:
    """Key the whole count (it replaces the scanned one): 1 to what is left at the location."""
    asked = ActionInput("number", "How many in total?", 1, remaining)
    return Action("key_qty", "Key quantity", asked)


@dataclass(frozen=True)
class TaskView:
    task_id: int
    order: str
    tote: str | None
    location: str
    location_barcode: str | None
    sku: str
    name: str
    lot: str
    expiry: dt.date | None
    remaining: int


@dataclass(frozen=True)
class Progress:
    batch: str
    tasks_done: int
    tasks_total: int
    orders: int

    def as_dict(self) -> dict[str, Any]:
        # Shown as-is by the kiosk: short readable keys; the batch id is on pick.done.
        return {"picked": f"{self.tasks_done} of {self.tasks_total}", "totes": self.orders}


def _item(task: TaskView) -> dict[str, Any]:
    target: dict[str, Any] = {"sku": task.sku, "name": task.name, "qty": task.remaining}
    if task.lot:
        target["lot"] = task.lot
    if task.expiry:
        target["expiry"] = task.expiry.isoformat()
    return target


def no_work() -> Screen:
    return Screen(
        name="pick.no_work",
        title="Picking",
        prompt="No orders are waiting to be picked. Try again in a moment.",
        expect="none",
        actions=[Action("retry", "Try again"), HOME],
    )


def scan_tote(order: str, index: int, total: int, progress: Progress) -> Screen:
    return Screen(
        name="pick.scan_tote",
        title=f"Tote {index} of {total}",
        prompt=f"Scan an empty tote for order {order}",
        expect="tote",
        target={"order": order, "tote": None},
        actions=[HOME],
        progress=progress.as_dict(),
    )


def scan_location(task: TaskView, progress: Progress) -> Screen:
    return Screen(
        name="pick.scan_location",
        title=f"Go to {task.location}",
        prompt=f"Pick {task.remaining} {task.name} there: scan the location label first",
        expect="location",
        target={"location": task.location, **_item(task)},
        actions=[SKIP, SHORT, HOME],
        progress=progress.as_dict(),
    )


def scan_product(task: TaskView, progress: Progress) -> Screen:
    lot = f" lot {task.lot}" if task.lot else ""
    return Screen(
        name="pick.scan_product",
        title=f"{task.location}: {task.sku}",
        prompt=f"Scan one {task.name}{lot} ({task.remaining} to pick)",
        expect="product",
        target={"location": task.location, **_item(task)},
        actions=[SKIP, SHORT, HOME],
        progress=progress.as_dict(),
    )


def quantity(task: TaskView, counted: int, progress: Progress) -> Screen:
    return Screen(
        name="pick.quantity",
        title=f"{task.sku}: {counted} of {task.remaining}",
        prompt=f"Scan the next {task.name}: {task.remaining - counted} more",
        expect="quantity",
        target={"location": task.location, **_item(task), "counted": counted},
        actions=[key_qty(task.remaining), SHORT, HOME],
        progress=progress.as_dict(),
    )


def put_in_tote(task: TaskView, counted: int, progress: Progress, short: str = "") -> Screen:
    note = f" (short: {SHORT_REASONS[short]})" if short else ""
    return Screen(
        name="pick.scan_tote_put",
        title=f"Into tote {task.tote}",
        prompt=f"Put {counted} {task.name} in tote {task.tote} (order {task.order}){note} "
        "and scan the tote",
        expect="tote",
        target={"tote": task.tote, "order": task.order, "sku": task.sku, "qty": counted},
        actions=[HOME],
        progress=progress.as_dict(),
    )


def ask_short_reason(task: TaskView, counted: int, progress: Progress) -> Screen:
    return Screen(
        name="pick.short_reason",
        title="Short pick",
        prompt=f"Why can you not pick {task.remaining - counted} {task.name} at {task.location}?",
        expect="none",
        target={"location": task.location, **_item(task), "counted": counted},
        actions=[
            Action(f"short_{code}", label.capitalize()) for code, label in SHORT_REASONS.items()
        ]
        + [Action("back", "Back"), HOME],
        progress=progress.as_dict(),
    )


def scan_drop(kind: str, progress: Progress) -> Screen:
    return Screen(
        name="pick.scan_drop",
        title="All picked",
        prompt=f"Take the totes to the {kind} zone and scan a drop location there",
        expect="location",
        target={"zone": kind},
        actions=[HOME],
        progress=progress.as_dict(),
    )


def put_back(order: str, tote: str, location: str, progress: Progress) -> Screen:
    return Screen(
        name="pick.put_back",
        title=f"Order {order} was cancelled",
        prompt=f"Take tote {tote} off the cart, put it at {location} and scan the location",
        expect="location",
        target={"tote": tote, "order": order, "location": location},
        actions=[HOME],
        progress=progress.as_dict(),
    )


def batch_done(batch: str, drop: str) -> Screen:
    return Screen(
        name="pick.done",
        title="Batch done",
        prompt=f"Batch {batch} is at {drop}, ready for packing. Pick the next batch?",
        expect="none",
        actions=[Action("next", "Next batch"), HOME],
    )
