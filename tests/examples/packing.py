from __future__ import annotations

from server.db import database
from server.models import Order, Package, PackJob
from server.packing.catalogue import ReplaceCarrierRules, UpsertBoxes
from server.packing.release import ReleasePackJob
from server.packing.tracking import SetTracking
from server.spine import Spine
from tests.examples import Example
from tests.examples.setup import order
from tests.sync.conftest import TESTER

BOX = {"code": "M", "barcode": "BOX-M", "inner_dims_mm": [300, 250, 150], "tare_g": 180,
       "max_load_g": 10_000}  # fmt: skip


def _labelled(spine: Spine) -> SetTracking:
    """An accepted order with a labelled package (its rows made here: packing it through
    the station is tests/packing's), and its tracking reference set."""
    spine.execute(order("EX-K"), TESTER)
    with database.atomic():
        accepted = Order.get(Order.external_id == "EX-K")
        job = PackJob.create(order=accepted, packer="K1", status="done")
        Package.create(job=job, order=accepted, seq=1, box="M", dims_mm=[300, 250, 150],
                       status="labelled", sscc="006141410000000012", carrier="UPS",
                       service="Standard")  # fmt: skip
    return SetTracking("006141410000000012", "1Z999AA10123456784")


def _being_packed(spine: Spine) -> ReleasePackJob:
    spine.execute(order("EX-R"), TESTER)
    with database.atomic():
        PackJob.create(order=Order.get(Order.external_id == "EX-R"), packer="K1", station="PACK-01")
    return ReleasePackJob("EX-R", "the packer went home")


EXAMPLES: dict[type, Example] = {
    ReleasePackJob: _being_packed,
    SetTracking: _labelled,
    UpsertBoxes: lambda s: UpsertBoxes([BOX]),
    ReplaceCarrierRules: lambda s: ReplaceCarrierRules(
        [{"id": "any", "carrier": "UPS", "service": "Standard"}]
    ),
}
