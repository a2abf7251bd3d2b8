"""The demo's box catalogue and carrier rules, for `floorlink demo` (docs/packing.md, Demo).

The boxes fit the demo site's products (server/demo/site.py): S takes the small things of
a web order (a mug, cables, creams, a notebook), M the 300 mm ones (an olive oil bottle
standing, a folded T-shirt), L and XL the retail orders, which split over several. The
demo's orders all carry the OMS's carrier and service, which win; the rules choose for an
order the OMS sends without them.
"""

from __future__ import annotations

from typing import Any

from server.packing.catalogue import ReplaceCarrierRules, UpsertBoxes
from server.packing.operations import BoxBatch, RuleBatch
from server.spine import Actor, Spine

DEMO = Actor("system", "demo-seed")

BOXES: list[dict[str, Any]] = [
    {"code": "S", "barcode": "BOX-S", "inner_dims_mm": [250, 180, 120], "tare_g": 120,
     "max_load_g": 5_000},
    {"code": "M", "barcode": "BOX-M", "inner_dims_mm": [350, 250, 200], "tare_g": 250,
     "max_load_g": 10_000},
    {"code": "L", "barcode": "BOX-L", "inner_dims_mm": [450, 350, 300], "tare_g": 450,
     "max_load_g": 20_000},
    {"code": "XL", "barcode": "BOX-XL", "inner_dims_mm": [600, 400, 400], "tare_g": 800,
     "max_load_g": 30_000},
]  # fmt: skip

BENELUX = ["NL", "BE", "LU"]
EU = ["AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
      "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"]  # fmt: skip

CARRIER_RULES: list[dict[str, Any]] = [
    {"id": "express", "carrier": "DHL", "service": "express", "service_levels": ["express"],
     "max_weight_g": 31_500},
    {"id": "benelux-small", "carrier": "PostNL", "service": "standard", "countries": BENELUX,
     "max_weight_g": 10_000, "max_length_mm": 1_000},
    {"id": "benelux", "carrier": "PostNL", "service": "standard", "countries": BENELUX,
     "max_weight_g": 23_000, "max_length_mm": 1_750},
    {"id": "eu", "carrier": "DPD", "service": "classic", "countries": EU,
     "max_weight_g": 31_500, "max_girth_mm": 3_000},
    {"id": "world", "carrier": "UPS", "service": "standard"},
]  # fmt: skip


def seed(spine: Spine) -> list[str]:
    """The boxes and the carrier rules, validated as the API would, through the spine."""
    boxes = BoxBatch.model_validate({"boxes": BOXES}, strict=False)
    spine.execute(UpsertBoxes([b.model_dump() for b in boxes.boxes]), DEMO)
    rules = RuleBatch.model_validate({"rules": CARRIER_RULES}, strict=False)
    spine.execute(ReplaceCarrierRules([r.model_dump() for r in rules.rules]), DEMO)
    return [
        f"Boxes: {', '.join(b['code'] for b in BOXES)} (barcodes BOX-S .. BOX-XL)",
        f"Carrier rules: {', '.join(r['id'] for r in CARRIER_RULES)} "
        "(the demo's orders carry the OMS's carrier, which wins)",
    ]
