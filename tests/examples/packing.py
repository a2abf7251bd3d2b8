from __future__ import annotations

from server.packing.catalogue import ReplaceCarrierRules, UpsertBoxes
from tests.examples import Example

BOX = {"code": "M", "barcode": "BOX-M", "inner_dims_mm": [300, 250, 150], "tare_g": 180,
       "max_load_g": 10_000}  # fmt: skip

EXAMPLES: dict[type, Example] = {
    UpsertBoxes: lambda s: UpsertBoxes([BOX]),
    ReplaceCarrierRules: lambda s: ReplaceCarrierRules(
        [{"id": "any", "carrier": "UPS", "service": "Standard"}]
    ),
}
