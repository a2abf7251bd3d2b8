"""Closing a manifest: in ONE transaction every package on it is dispatched, its orders
become `dispatched` with their lines' `shipped` counts, one `order.dispatched` per order
and one `manifest.closed` for the whole are recorded.

Set-based: a handful of statements whatever the size (1,000 packages, 400 orders), chunked
under the engines' parameter limits (docs/performance.md, "Dispatch")."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from server import rawsql
from server.dispatch import rules, store, views
from server.dispatch.events import ManifestClosed, OrderDispatched
from server.errors import Conflict, field_error
from server.models import (
    Order,
    OrderLine,
    Package,
    PackageItem,
    Product,
    isoformat,
    utcnow,
)
from server.models.dispatch import Manifest, SplitApproval
from server.orders.views import lines_of, order_view
from server.spine import Handlers, Unit

HANDLERS = Handlers()
CHUNK = 400  # ids per statement: under SQLite's and psycopg's limits with room to spare


@dataclass(frozen=True)
class CloseManifest:
    manifest_id: str
    seal: str | None = None


def problems(m: Manifest, seal: str | None, seal_required: bool) -> list[rules.Problem]:
    return rules.close_problems(store.facts_of(m), store.orders_on(m), seal, seal_required)


def refuse(found: list[rules.Problem]) -> Conflict:
    errors = [field_error(p.order or p.kind, p.message) for p in found]
    return Conflict("the manifest cannot be closed: " + "; ".join(p.message for p in found), errors)


def close(
    m: Manifest, seal: str | None, by: str, unit: Unit, seal_required: bool
) -> dict[str, Any]:
    """Close `m` (the caller holds its lock) or raise Conflict with every problem."""
    found = problems(m, seal, seal_required)
    if found:
        raise refuse(found)
    now = utcnow()
    loaded = store.loads(m)
    ids = [mp.package_id for mp in loaded]
    for chunk in _chunks(ids):
        Package.update(status="dispatched").where(Package.id.in_(chunk)).execute()
    items = _items(ids)
    _ship_lines(items)
    orders = {mp.order_id: mp.order for mp in loaded}
    for chunk in _chunks(sorted(orders)):
        Order.update(status="dispatched", updated_at=now).where(Order.id.in_(chunk)).execute()
    m.status, m.seal, m.closed_at, m.closed_by = "closed", seal or None, now, by
    m.save()
    left = _left_behind(m, sorted(orders))
    splits = {s.order_id: s for s in SplitApproval.select().where(SplitApproval.manifest == m.id)}
    lines = lines_of(sorted(orders))
    by_order: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for mp in loaded:
        mp.package.status = "dispatched"
        by_order[mp.order_id].append(_package(mp.package, items.get(mp.package_id, [])))
    shipment = _shipment(m, now)
    for order_id, order in orders.items():
        order.status, order.updated_at = "dispatched", now
        sent = by_order[order_id]
        dispatch = shipment | {
            "service": next((p["service"] for p in sent if p["service"]), shipment["service"]),
            "packages": sent,
            "complete": not left.get(order_id),
            "not_dispatched": left.get(order_id, []),
        }
        split = splits.get(order_id)
        if split is not None:
            dispatch["split"] = {"approved_by": split.approved_by, "reason": split.reason}
        unit.record(OrderDispatched(order_view(order, lines[order_id]), dispatch))
    packages = [views.loaded_view(mp) for mp in loaded]
    whole = views.summary(m) | {
        "totals": views.totals(packages),
        "orders": sorted(o.external_id for o in orders.values()),
        "packages": packages,
        "splits": views.splits_of(m),
    }
    unit.record(ManifestClosed(m.manifest_id, whole))
    return whole


@HANDLERS.handles(CloseManifest)
def close_manifest(cmd: CloseManifest, unit: Unit) -> dict[str, Any]:
    m = store.manifest(cmd.manifest_id, lock="update")
    required = unit.env.section("dispatch").seal_required if unit.env is not None else True
    return close(m, cmd.seal, str(unit.actor), unit, required)


def _shipment(m: Manifest, now: Any) -> dict[str, Any]:
    return {
        "manifest": m.manifest_id,
        "dock": m.dock.code,
        "carrier": m.carrier,
        "service": views.service_of(m),
        "trailer": m.trailer,
        "seal": m.seal,
        "dispatched_at": isoformat(now),
    }


def _package(p: Package, items: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "sscc": p.sscc,
        "package": p.seq,
        "box": p.box,
        "tracking": p.tracking,
        "weight_g": p.measured_weight_g,
        "service": p.service,
        "lines": [{k: v for k, v in i.items() if k != "line_pk"} for i in items],
    }


def _items(package_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """What is in each package: line, SKU, qty, lot, serials (one query per chunk)."""
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for chunk in _chunks(package_ids):
        query = (
            PackageItem.select(PackageItem, OrderLine.id, OrderLine.line_id, Product.sku)
            .join(OrderLine, on=(PackageItem.line == OrderLine.id))
            .switch(PackageItem)
            .join(Product, on=(PackageItem.product == Product.id))
            .where(PackageItem.package.in_(chunk))
            .order_by(PackageItem.id)
        )
        for item in query:
            entry: dict[str, Any] = {
                "line_pk": item.line.id,
                "line_id": item.line.line_id,
                "sku": item.product.sku,
                "qty": item.qty,
            }
            if item.lot:
                entry["lot"] = item.lot
            if item.serials:
                entry["serials"] = list(item.serials)
            found[item.package_id].append(entry)
    return found


def _ship_lines(items: dict[int, list[dict[str, Any]]]) -> None:
    """Each line's `shipped` grows by what left in the packages (one statement a chunk)."""
    shipped: dict[int, int] = defaultdict(int)
    for entries in items.values():
        for entry in entries:
            shipped[entry["line_pk"]] += entry["qty"]
    pairs = sorted(shipped.items())
    for start in range(0, len(pairs), CHUNK // 2):
        chunk = pairs[start : start + CHUNK // 2]
        cases = " ".join("WHEN ? THEN ?" for _ in chunk)
        params: list[Any] = [v for pair in chunk for v in pair]
        params += [line for line, _ in chunk]
        rawsql.execute(
            f'UPDATE "order_line" SET "shipped" = "shipped" + CASE "id" {cases} ELSE 0 END '
            f'WHERE "id" IN ({rawsql.placeholders(len(chunk))})',
            params,
        )


def _left_behind(m: Manifest, order_ids: list[int]) -> dict[int, list[str]]:
    """The orders' packages that did not leave with this manifest (a split's rest)."""
    left: dict[int, list[str]] = defaultdict(list)
    for chunk in _chunks(order_ids):
        query = Package.select(Package.order, Package.sscc).where(
            Package.order.in_(chunk), Package.status.not_in(["voided", "dispatched"])
        )
        for order_id, sscc in store.tuples(query):
            left[order_id].append(sscc or "(not labelled)")
    return left


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]
