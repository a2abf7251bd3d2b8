"""A pack job handed back by a supervisor: the packer went home, fell ill or left the
station mid-pack. The job keeps what was done (packages opened, units verified, labels
printed); the next packer who scans the tote (or the order) takes it over where it stood,
at any station. The packer who left finds their station back at "scan a tote"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from server.errors import Conflict, NotFound
from server.models import Order, PackJob
from server.packing.events import PackReleased
from server.spine import Handlers, Unit

HANDLERS = Handlers()

RELEASED = ""  # the packer of a job handed back: nobody, until a packer takes it over


@dataclass(frozen=True)
class ReleasePackJob:
    external_id: str
    reason: str


@HANDLERS.handles(ReleasePackJob)
def release_pack_job(cmd: ReleasePackJob, unit: Unit) -> dict[str, Any]:
    order = Order.get_or_none(Order.external_id == cmd.external_id)
    if order is None:
        raise NotFound(f"no order {cmd.external_id}")
    job = PackJob.get_or_none((PackJob.order == order) & (PackJob.status == "open"))
    if job is None:
        raise Conflict(f"order {cmd.external_id} is not being packed (it is {order.status})")
    if job.packer == RELEASED:
        raise Conflict(f"order {cmd.external_id} was released already: a packer takes it next")
    packer, station = job.packer, job.station
    PackJob.update(packer=RELEASED).where(PackJob.id == job.id).execute()
    unit.record(PackReleased(cmd.external_id, packer, station, cmd.reason))
    return {"external_id": cmd.external_id, "released_from": packer, "station": station}


def is_released(job: PackJob) -> bool:
    return bool(job.packer == RELEASED)
