"""Packed packages seeded straight into the database, for the dispatch tests (the benchmark
seeds its own, in bulk: bench/dispatch.py `seed`): an accepted order's stock is taken as
picking takes it (the reservation consumed, on-hand down) and its units put into packages
as packing leaves them (`packed`, SSCC, carrier, weight), without walking the pick and pack
flows. The end-to-end and cancel-intercept tests walk the real flows instead."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from server.models import Allocation, Order, OrderLine, Package, PackageItem, PackJob, Stock, utcnow
from server.packing.sscc import compose

PREFIX = "0614141"
_serials = itertools.count(900_000)


def next_sscc() -> str:
    return compose(0, PREFIX, next(_serials))


def pack_directly(
    external_id: str,
    packages: Sequence[dict[str, int]] | None = None,
    carrier: str = "DHL",
    service: str = "Paket",
    weight_g: int = 1000,
) -> list[str]:
    """Pick and pack an accepted order in the database: `packages` says which SKUs (and how
    many) go in each package (default: everything in one). Returns the SSCCs. Call inside a
    connection (and a transaction for speed)."""
    order = Order.get(Order.external_id == external_id)
    allocations = list(Allocation.select().join(OrderLine).where(OrderLine.order == order))
    by_sku: dict[str, list[OrderLine]] = {}
    for line in OrderLine.select().where(OrderLine.order == order):
        by_sku.setdefault(line.product.sku, []).append(line)
    for alloc in allocations:
        Stock.update(on_hand=Stock.on_hand - alloc.qty, reserved=Stock.reserved - alloc.qty).where(
            Stock.id == alloc.stock_id
        ).execute()
    if allocations:
        Allocation.delete().where(Allocation.id.in_([a.id for a in allocations])).execute()
    everything = {sku: sum(ln.qty for ln in ls) for sku, ls in by_sku.items()}
    plan = list(packages) if packages else [everything]
    now = utcnow()
    job = PackJob.create(order=order, station="PACK-01", packer="seed", status="done",
                         done_at=now)  # fmt: skip
    ssccs = []
    for seq, content in enumerate(plan, 1):
        sscc = next_sscc()
        package = Package.create(
            job=job, order=order, seq=seq, box="M", dims_mm=[300, 250, 150], status="packed",
            expected_weight_g=weight_g, measured_weight_g=weight_g, weight_source="scale",
            sscc=sscc, carrier=carrier, service=service, carrier_rule="oms", packed_at=now,
        )  # fmt: skip
        for sku, qty in content.items():
            line = by_sku[sku][0]
            PackageItem.create(package=package, line=line, product=line.product_id, qty=qty)
        ssccs.append(sscc)
    for sku_lines in by_sku.values():
        for line in sku_lines:
            OrderLine.update(allocated=0, picked=line.qty, packed=line.qty).where(
                OrderLine.id == line.id
            ).execute()
    Order.update(status="packed", updated_at=now).where(Order.id == order.id).execute()
    return ssccs


def order_body(external_id: str, carrier: str = "DHL", service: str = "Paket",
               **lines: int) -> dict[str, Any]:  # fmt: skip
    return {
        "external_id": external_id,
        "channel": "web",
        "ship_by": "2030-01-01T12:00:00Z",
        "carrier": carrier,
        "service": service,
        "ship_to": {"name": "Jane Doe", "line1": "5 Elm St", "city": "Hamburg",
                    "postal_code": "20095", "country": "DE"},
        "lines": [{"line_id": str(i), "sku": sku, "qty": q}
                  for i, (sku, q) in enumerate(lines.items(), 1)],
    }  # fmt: skip
