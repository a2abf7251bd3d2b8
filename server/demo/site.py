"""Pure generation of a demo site: zones, locations, products, stock and orders."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

ZONES = {"A": range(1, 5), "B": range(5, 9), "C": range(9, 11)}  # zone -> aisles
BAYS, LEVELS = 6, 4
CATEGORIES = [
    ("Espresso beans 1kg", 1050, (220, 120, 80), "food"),
    ("Green tea 100 bags", 210, (160, 80, 70), "food"),
    ("Olive oil 750ml", 1400, (80, 80, 300), "food"),
    ("Protein bar box", 700, (200, 110, 60), "food"),
    ("Hand cream 75ml", 95, (50, 30, 160), "cosmetics"),
    ("Sunscreen SPF50", 260, (60, 40, 180), "cosmetics"),
    ("USB-C cable 2m", 80, (150, 100, 25), "tech"),
    ("Wireless mouse", 140, (120, 80, 45), "tech"),
    ("Phone case", 60, (170, 90, 20), "tech"),
    ("Cotton T-shirt", 180, (300, 250, 20), "apparel"),
    ("Running socks 3-pack", 120, (200, 120, 30), "apparel"),
    ("Ceramic mug", 350, (120, 120, 110), "home"),
    ("Scented candle", 420, (90, 90, 110), "home"),
    ("Notebook A5", 260, (210, 150, 15), "office"),
    ("Gel pens 10-pack", 110, (160, 90, 20), "office"),
]
VARIANTS = ["Classic", "Blue", "Red", "Large", "Small", "Eco", "Pro", "Mini"]
CHANNELS = [("web", 0.5), ("marketplace", 0.3), ("retail", 0.2)]


def gtin13(body12: str) -> str:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body12))
    return body12 + str((10 - total % 10) % 10)


def locations() -> list[dict[str, Any]]:
    out, seq = [], 0
    for zone, aisles in ZONES.items():
        for aisle in aisles:
            bays = range(1, BAYS + 1) if aisle % 2 else range(BAYS, 0, -1)  # serpentine
            for bay in bays:
                for level in range(1, LEVELS + 1):
                    seq += 10
                    code = f"{zone}-{aisle:02d}-{bay:02d}-{level}"
                    out.append(
                        {
                            "code": code,
                            "barcode": f"L{code}",
                            "zone": zone,
                            "kind": "pick",
                            "walk_sequence": seq,
                        }
                    )
    out += [
        {"code": f"BULK-{i:02d}", "zone": "C", "kind": "bulk", "walk_sequence": 5000 + i}
        for i in range(1, 21)
    ]
    out += [
        {"code": f"PACK-{i:02d}", "zone": "P", "kind": "pack", "walk_sequence": 9000 + i}
        for i in range(1, 5)
    ]
    out += [
        {"code": f"RET-{i:02d}", "zone": "R", "kind": "returns", "walk_sequence": 9100 + i}
        for i in range(1, 3)
    ]
    out += [{"code": "QUAR-01", "zone": "R", "kind": "quarantine", "walk_sequence": 9200}]
    out += [
        {"code": f"DOCK-{i}", "zone": "D", "kind": "dock", "walk_sequence": 9300 + i}
        for i in range(1, 4)
    ]
    return out


def products(count: int = 120) -> list[dict[str, Any]]:
    rng = random.Random(7)
    out = []
    for i in range(count):
        name, weight, dims, category = CATEGORIES[i % len(CATEGORIES)]
        variant = VARIANTS[(i // len(CATEGORIES)) % len(VARIANTS)]
        perishable = category == "food"
        out.append(
            {
                "sku": f"SKU-{1000 + i}",
                "name": f"{name} {variant}",
                "barcodes": [gtin13(f"400638{i:06d}")],
                "weight_g": int(weight * rng.uniform(0.9, 1.1)),
                "dims_mm": list(dims),
                "lot_tracked": perishable or category == "cosmetics",
                "expiry_tracked": perishable,
                "category": category,
            }
        )
    return out


def stock(
    products_: list[dict[str, Any]], locations_: list[dict[str, Any]], today: dt.date
) -> list[dict[str, Any]]:
    rng = random.Random(11)
    picks = [loc["code"] for loc in locations_ if loc["kind"] == "pick"]
    bulks = [loc["code"] for loc in locations_ if loc["kind"] == "bulk"]
    rng.shuffle(picks)
    out = []
    for i, product in enumerate(products_):
        homes = [picks[i % len(picks)]]
        if i % 3 == 0:
            homes.append(picks[(i + 97) % len(picks)])
        if i % 10 == 0:
            homes.append(bulks[i % len(bulks)])
        for n, code in enumerate(homes):
            adj: dict[str, Any] = {
                "sku": product["sku"],
                "location": code,
                "delta": rng.randint(8, 60),
                "reason": "demo: initial count",
            }
            if product["lot_tracked"]:
                adj["lot"] = f"L{today:%y%m}{i:03d}{n}"
            if product["expiry_tracked"]:
                adj["expiry"] = (today + dt.timedelta(days=20 + 30 * n + i % 40)).isoformat()
            out.append(adj)
    return out


def orders(
    products_: list[dict[str, Any]], now: dt.datetime, count: int = 24
) -> list[dict[str, Any]]:
    rng = random.Random(5)
    out = []
    for i in range(count):
        channel = rng.choices([c for c, _ in CHANNELS], [w for _, w in CHANNELS])[0]
        n_lines = rng.randint(4, 10) if channel == "retail" else rng.randint(1, 4)
        chosen = rng.sample(products_, n_lines)
        out.append(
            {
                "external_id": f"{channel[:3].upper()}-{20000 + i}",
                "channel": channel,
                "priority": rng.choice([0, 3, 5, 5, 5, 7]),
                "ship_by": (now + dt.timedelta(hours=rng.randint(2, 30))).isoformat(),
                "carrier": rng.choice(["DHL", "UPS", "PostNL", "DPD"]),
                "service": rng.choice(["standard", "express"]),
                "ship_to": {
                    "name": f"Customer {i}",
                    "line1": f"{i + 1} Main Street",
                    "city": "Utrecht",
                    "postal_code": "3511AB",
                    "country": "NL",
                },
                "lines": [
                    {
                        "line_id": str(n + 1),
                        "sku": p["sku"],
                        "qty": rng.randint(6, 24) if channel == "retail" else rng.randint(1, 3),
                    }
                    for n, p in enumerate(chosen)
                ],
            }
        )
    return out
