from __future__ import annotations

from server.catalog.handlers import UpsertLocations, UpsertProducts
from tests.examples import Example

EXAMPLES: dict[type, Example] = {
    UpsertProducts: lambda s: UpsertProducts(
        [
            {
                "sku": "NEW",
                "name": "New",
                "barcodes": [],
                "weight_g": 1,
                "dims_mm": (1, 1, 1),
                "lot_tracked": False,
                "expiry_tracked": False,
            }
        ]
    ),
    UpsertLocations: lambda s: UpsertLocations(
        [{"code": "Z-1", "barcode": None, "zone": "Z", "kind": "pick", "walk_sequence": 1}]
    ),
}
