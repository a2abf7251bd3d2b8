"""The returns' events (server/events.py), all about the RMA (`rma:<rma_id>`): registered by
the OMS or opened on the floor, each unit received, graded and put away, and the RMA
received in full (or closed with units missing), which the OMS refunds on
(docs/returns.md, "Events"; docs/webhooks.md, Catalogue)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from server.events import DomainEvent


@dataclass(frozen=True)
class RmaEvent(DomainEvent):
    rma: dict[str, Any]  # rma_view (server/returns/views.py)

    @property
    def subject(self) -> str:
        return f"rma:{self.rma['rma_id']}"

    @property
    def data(self) -> dict[str, Any]:
        return self.rma


@dataclass(frozen=True)
class ReturnRegistered(RmaEvent):
    """The OMS announced a return (POST /api/v1/returns)."""

    type: ClassVar[str] = "return.registered"


@dataclass(frozen=True)
class ReturnOpened(RmaEvent):
    """A parcel without an RMA was opened as an unannounced return against its order."""

    type: ClassVar[str] = "return.opened"


@dataclass(frozen=True)
class UnitEvent(DomainEvent):
    rma_id: str
    unit: dict[str, Any]  # unit_view (server/returns/views.py)

    @property
    def subject(self) -> str:
        return f"rma:{self.rma_id}"

    @property
    def data(self) -> dict[str, Any]:
        return {"rma_id": self.rma_id, "unit": self.unit}


@dataclass(frozen=True)
class ReturnUnitReceived(UnitEvent):
    """A unit scanned at a returns station: what it is, and whether it was expected."""

    type: ClassVar[str] = "return.unit_received"


@dataclass(frozen=True)
class ReturnUnitGraded(UnitEvent):
    """Its questions answered: grade, disposition, and where it is to go."""

    type: ClassVar[str] = "return.unit_graded"


@dataclass(frozen=True)
class ReturnUnitPutAway(UnitEvent):
    """Put away where it belongs (its stock change is an `inventory.adjusted`)."""

    type: ClassVar[str] = "return.unit_put_away"


@dataclass(frozen=True)
class ReturnReceived(DomainEvent):
    """The RMA is closed: every unit with its grading and location, the unexpected units
    and the missing ones. The OMS refunds on this."""

    type: ClassVar[str] = "return.received"
    received: dict[str, Any]  # received_view (server/returns/views.py)

    @property
    def subject(self) -> str:
        return f"rma:{self.received['rma_id']}"

    @property
    def data(self) -> dict[str, Any]:
        return self.received


@dataclass(frozen=True)
class GradingReplaced(DomainEvent):
    """The grading trees were replaced (PUT /api/v1/returns/grading)."""

    type: ClassVar[str] = "grading.replaced"
    trees: dict[str, Any]  # {"trees": [...]} as GET /api/v1/returns/grading answers

    @property
    def subject(self) -> str:
        return "catalog:grading"

    @property
    def data(self) -> dict[str, Any]:
        return self.trees


EVENTS = (
    ReturnRegistered,
    ReturnOpened,
    ReturnUnitReceived,
    ReturnUnitGraded,
    ReturnUnitPutAway,
    ReturnReceived,
    GradingReplaced,
)
