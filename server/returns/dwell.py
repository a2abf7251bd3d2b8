"""Return zone dwell: units received but not put away for longer than `[returns]
dwell_after_min` raise a `return_dwell` exception for supervisors, one per RMA, resolved
when its last waiting unit is put away (server/returns/receiving.py).

The sweep is one command (`SweepDwell`) run by a background service every
`dwell_check_s` (server/sweeps.py): idempotent (a unit is flagged once; an RMA with an exception still open
gets no second one), and safe in one server process.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from server.models import Product, ReturnUnit, Rma, SupervisorException, utcnow
from server.models.sync import ExceptionStatus
from server.returns.receiving import DWELL
from server.spine import Actor, Handlers, Unit
from server.supervision.exceptions import raise_exception
from server.sweeps import Sweep

if TYPE_CHECKING:
    from server.runtime import Runtime

HANDLERS = Handlers()
SWEEPER = Actor("system", "returns-dwell")


@dataclass(frozen=True)
class SweepDwell:
    now: dt.datetime | None = None  # for tests; the clock otherwise


@HANDLERS.handles(SweepDwell)
def sweep_dwell(cmd: SweepDwell, unit: Unit) -> dict[str, Any]:
    settings = unit.env.section("returns")
    now = cmd.now or utcnow()
    cutoff = now - dt.timedelta(minutes=settings.dwell_after_min)
    late = (
        ReturnUnit.select(ReturnUnit, Product.sku)
        .join(Product)
        .where(
            ReturnUnit.status != "put_away",
            ReturnUnit.received_at < cutoff,
            ReturnUnit.dwell_raised == False,  # noqa: E712
        )
        .order_by(ReturnUnit.id)
    )
    by_rma: defaultdict[int, list[ReturnUnit]] = defaultdict(list)
    for row in late:
        by_rma[row.rma_id].append(row)
    raised = []
    for rma_id, units in by_rma.items():
        rma = Rma.get_by_id(rma_id)
        subject = f"rma:{rma.rma_id}"
        if _open(subject):
            continue  # already asked about; these units are covered by it
        skus = ", ".join(sorted({u.product.sku for u in units}))
        raise_exception(
            unit,
            kind=DWELL,
            subject=subject,
            message=(
                f"{len(units)} unit(s) of return {rma.rma_id} ({skus}) were received more than "
                f"{settings.dwell_after_min:g} min ago and are not put away"
            ),
            data={"rma_id": rma.rma_id, "units": [u.seq for u in units],
                  "stations": sorted({u.station for u in units if u.station})},
        )  # fmt: skip
        ReturnUnit.update(dwell_raised=True).where(
            ReturnUnit.id.in_([u.id for u in units])
        ).execute()
        raised.append(rma.rma_id)
    return {"raised": raised}


def _open(subject: str) -> bool:
    return (
        SupervisorException.select()
        .where(
            SupervisorException.kind == DWELL,
            SupervisorException.subject == subject,
            SupervisorException.status == ExceptionStatus.OPEN,
        )
        .exists()
    )


def service(runtime: Runtime) -> Sweep:
    """The background service of `floorlink serve` that runs the sweep."""

    def every() -> float:
        return float(runtime.settings.section("returns").dwell_check_s)

    return Sweep(runtime, "returns dwell sweep", every, SweepDwell, SWEEPER)
