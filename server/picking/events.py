"""The picking area's events (server/events.py): batches, totes in the walk, picks, counts,
orders picked, waves, and the lights' commands. Batches' and picks' events have the batch
as subject (`batch:<id>`), totes' the tote, counts' the location, waves' the wave
(`wave:<id>`), lights' the device."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from server.events import DomainEvent
from server.orders.events import subject as order_subject


@dataclass(frozen=True)
class BatchEvent(DomainEvent):
    batch_id: str

    @property
    def subject(self) -> str:
        return f"batch:{self.batch_id}"


@dataclass(frozen=True)
class BatchClaimed(BatchEvent):
    """A picker took a batch: an open one (no `orders`) or one made for them."""

    type: ClassVar[str] = "batch.claimed"
    operator: str
    orders: list[str] | None = None  # external ids, when the batch was made now

    @property
    def data(self) -> dict[str, Any]:
        if self.orders is None:
            return {"operator": self.operator}
        return {"operator": self.operator, "orders": self.orders}


@dataclass(frozen=True)
class BatchDropped(BatchEvent):
    type: ClassVar[str] = "batch.dropped"
    location: str  # the drop (pack zone) location
    totes: list[str | None]

    @property
    def data(self) -> dict[str, Any]:
        return {"location": self.location, "totes": self.totes}


@dataclass(frozen=True)
class BatchReassigned(BatchEvent):
    type: ClassVar[str] = "batch.reassigned"
    before: str | None  # the badge it had, if any
    to: str

    @property
    def data(self) -> dict[str, Any]:
        return {"from": self.before, "to": self.to}


@dataclass(frozen=True)
class BatchUnassigned(BatchEvent):
    type: ClassVar[str] = "batch.unassigned"
    before: str | None

    @property
    def data(self) -> dict[str, Any]:
        return {"from": self.before, "to": None}


@dataclass(frozen=True)
class PickConfirmed(BatchEvent):
    type: ClassVar[str] = "pick.confirmed"
    task: int
    sku: str
    location: str
    lot: str | None
    qty: int
    serials: list[str]

    @property
    def data(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "sku": self.sku,
            "location": self.location,
            "lot": self.lot,
            "qty": self.qty,
            "serials": self.serials,
        }


@dataclass(frozen=True)
class PickLotSubstituted(BatchEvent):
    type: ClassVar[str] = "pick.lot_substituted"
    task: int
    sku: str
    lot: str  # the lot now reserved
    qty: int

    @property
    def data(self) -> dict[str, Any]:
        return {"task": self.task, "sku": self.sku, "lot": self.lot, "qty": self.qty}


@dataclass(frozen=True)
class PickSkipped(BatchEvent):
    type: ClassVar[str] = "pick.skipped"
    task: int
    sku: str
    location: str

    @property
    def data(self) -> dict[str, Any]:
        return {"task": self.task, "sku": self.sku, "location": self.location}


@dataclass(frozen=True)
class PickShorted(BatchEvent):
    type: ClassVar[str] = "pick.shorted"
    task: int
    order: str
    sku: str
    location: str
    reason: str
    short: int  # units the picker could not pick
    reallocated: int  # of them, reserved at other locations (appended to the walk)

    @property
    def data(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "order": self.order,
            "sku": self.sku,
            "location": self.location,
            "reason": self.reason,
            "short": self.short,
            "reallocated": self.reallocated,
            "missing": self.short - self.reallocated,
        }


@dataclass(frozen=True)
class ToteEvent(DomainEvent):
    tote: str | None  # its code (an order slot's tote, always set by then)
    order: str  # the order's external id

    @property
    def subject(self) -> str:
        return f"tote:{self.tote}"


@dataclass(frozen=True)
class ToteAssigned(ToteEvent):
    type: ClassVar[str] = "tote.assigned"
    batch: str

    @property
    def data(self) -> dict[str, Any]:
        return {"order": self.order, "batch": self.batch}


@dataclass(frozen=True)
class TotePutBackRequested(ToteEvent):
    """Its order was cancelled with units in it: they go back to a shelf."""

    type: ClassVar[str] = "tote.put_back_requested"
    batch: str

    @property
    def data(self) -> dict[str, Any]:
        return {"order": self.order, "batch": self.batch}


@dataclass(frozen=True)
class TotePutBack(ToteEvent):
    type: ClassVar[str] = "tote.put_back"
    location: str
    units: int

    @property
    def data(self) -> dict[str, Any]:
        return {"order": self.order, "location": self.location, "units": self.units}


@dataclass(frozen=True)
class CountCompleted(DomainEvent):
    type: ClassVar[str] = "count.completed"
    count: dict[str, Any]  # count_task_view (server/picking/views.py)

    @property
    def subject(self) -> str:
        return f"location:{self.count['location']}"

    @property
    def data(self) -> dict[str, Any]:
        return self.count


@dataclass(frozen=True)
class OrderAtDrop(DomainEvent):
    """An order's tote is at the drop: the order view, the tote, where, and what went in."""

    order: dict[str, Any]  # order_view (server/orders/views.py), with its new status
    tote: str | None
    location: str
    picked: list[dict[str, Any]]  # [{line_id, sku, qty, lot, expiry, serials}]

    @property
    def subject(self) -> str:
        return order_subject(self.order["external_id"])

    @property
    def data(self) -> dict[str, Any]:
        return self.order | {"tote": self.tote, "location": self.location, "picked": self.picked}


@dataclass(frozen=True)
class OrderPicked(OrderAtDrop):
    type: ClassVar[str] = "order.picked"


@dataclass(frozen=True)
class OrderShortPicked(OrderAtDrop):
    """As order.picked, with what is missing per line and why."""

    type: ClassVar[str] = "order.short_picked"
    missing: list[dict[str, Any]]  # [{line_id, sku, qty, reasons: [{reason, label, ...}]}]

    @property
    def data(self) -> dict[str, Any]:
        return super().data | {"missing": self.missing}


@dataclass(frozen=True)
class LightCommanded(DomainEvent):
    """A pick-to-light command, sent after commit (server/picking/lights.py)."""

    type: ClassVar[str] = "light.commanded"
    device_id: str
    name: str  # show | off
    payload: dict[str, Any]

    @property
    def subject(self) -> str:
        return f"device:{self.device_id}"

    @property
    def data(self) -> dict[str, Any]:
        return {"name": self.name, "payload": self.payload}


@dataclass(frozen=True)
class WaveEvent(DomainEvent):
    wave_id: str
    orders: list[str]  # external ids: the orders held, or released, by this change

    @property
    def subject(self) -> str:
        return f"wave:{self.wave_id}"


@dataclass(frozen=True)
class WaveReleased(WaveEvent):
    """A wave released for picking (manual release), or released again after a hold."""

    type: ClassVar[str] = "wave.released"

    @property
    def data(self) -> dict[str, Any]:
        return {"wave": self.wave_id, "held": False, "orders": self.orders}


@dataclass(frozen=True)
class WaveHeld(WaveEvent):
    """A supervisor held a wave: its orders not yet in a batch are held (`order.held`
    each), its batches nobody has claimed wait; batches a picker has go on."""

    type: ClassVar[str] = "wave.held"
    reason: str = ""

    @property
    def data(self) -> dict[str, Any]:
        return {"wave": self.wave_id, "held": True, "reason": self.reason, "orders": self.orders}


EVENTS = (
    BatchClaimed,
    BatchDropped,
    BatchReassigned,
    BatchUnassigned,
    PickConfirmed,
    PickLotSubstituted,
    PickSkipped,
    PickShorted,
    ToteAssigned,
    TotePutBackRequested,
    TotePutBack,
    CountCompleted,
    OrderPicked,
    OrderShortPicked,
    WaveReleased,
    WaveHeld,
    LightCommanded,
)
