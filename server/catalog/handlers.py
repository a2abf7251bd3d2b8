"""Batch upserts of products and locations: all or nothing, one event per changed item."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from server.catalog.barcodes import BadBarcode, normalize
from server.catalog.events import LocationUpserted, ProductUpserted
from server.errors import InvalidInput, field_error
from server.models import Location, Product, ProductBarcode, utcnow
from server.spine import Handlers, Unit

HANDLERS = Handlers()


@dataclass(frozen=True)
class UpsertProducts:
    products: list[dict[str, Any]]


@dataclass(frozen=True)
class UpsertLocations:
    locations: list[dict[str, Any]]


def product_view(product: Product, barcodes: list[str]) -> dict[str, Any]:
    return {
        "sku": product.sku,
        "name": product.name,
        "barcodes": barcodes,
        "weight_g": product.weight_g,
        "dims_mm": product.dims_mm,
        "lot_tracked": product.lot_tracked,
        "expiry_tracked": product.expiry_tracked,
        "category": product.category,
    }


def location_view(location: Location) -> dict[str, Any]:
    return {
        "code": location.code,
        "barcode": location.barcode,
        "zone": location.zone,
        "kind": location.kind,
        "walk_sequence": location.walk_sequence,
    }


@HANDLERS.handles(UpsertProducts)
def upsert_products(cmd: UpsertProducts, unit: Unit) -> dict[str, Any]:
    normalized = _checked_barcodes(cmd.products)
    skus = [p["sku"] for p in cmd.products]
    existing = {p.sku: p for p in Product.select().where(Product.sku.in_(skus))}
    _refuse_foreign_barcodes(normalized, existing)
    created = 0
    for item in cmd.products:
        product = existing.get(item["sku"]) or Product(sku=item["sku"])
        created += product.id is None
        _apply_product(product, item)
        ProductBarcode.delete().where(ProductBarcode.product == product).execute()
        rows = [
            {"product": product.id, "barcode": raw, "normalized": norm}
            for raw, norm in zip(item["barcodes"], normalized[item["sku"]], strict=True)
        ]
        if rows:
            ProductBarcode.insert_many(rows).execute()
        unit.record(ProductUpserted(product_view(product, item["barcodes"])))
    return {"created": created, "updated": len(cmd.products) - created}


def _apply_product(product: Product, item: dict[str, Any]) -> None:
    length, width, height = item["dims_mm"]
    product.name = item["name"]
    product.weight_g = item["weight_g"]
    product.length_mm, product.width_mm, product.height_mm = length, width, height
    product.lot_tracked = item["lot_tracked"]
    product.expiry_tracked = item["expiry_tracked"]
    product.category = item.get("category") or ""
    product.updated_at = utcnow()
    product.save()


def _checked_barcodes(products: list[dict[str, Any]]) -> dict[str, list[str]]:
    errors: list[dict[str, str]] = []
    normalized: dict[str, list[str]] = {}
    owner: dict[str, str] = {}
    seen_skus: set[str] = set()
    for i, item in enumerate(products):
        if item["sku"] in seen_skus:
            errors.append(field_error(f"products[{i}].sku", "listed twice in this batch"))
        seen_skus.add(item["sku"])
        normalized[item["sku"]] = []
        for j, raw in enumerate(item["barcodes"]):
            path = f"products[{i}].barcodes[{j}]"
            try:
                norm = normalize(raw)
            except BadBarcode as exc:
                errors.append(field_error(path, str(exc)))
                continue
            if (
                owner.setdefault(norm, item["sku"]) != item["sku"]
                or norm in normalized[item["sku"]]
            ):
                errors.append(field_error(path, f"barcode {raw} is given twice"))
            normalized[item["sku"]].append(norm)
    if errors:
        raise InvalidInput("some products are not valid", errors)
    return normalized


def _refuse_foreign_barcodes(
    normalized: dict[str, list[str]], existing: dict[str, Product]
) -> None:
    paths = {
        code: f"products[{i}].barcodes[{j}]"
        for i, (sku, codes) in enumerate(normalized.items())
        for j, code in enumerate(codes)
    }
    if not paths:
        return
    taken = (
        ProductBarcode.select(ProductBarcode.normalized, Product.sku)
        .join(Product)
        .where(ProductBarcode.normalized.in_(list(paths)))
    )
    errors = [
        field_error(
            paths[row.normalized], f"barcode {row.normalized} already belongs to {row.product.sku}"
        )
        for row in taken
        if row.normalized not in normalized.get(row.product.sku, [])
    ]
    if errors:
        raise InvalidInput("some barcodes belong to other products", errors)


@HANDLERS.handles(UpsertLocations)
def upsert_locations(cmd: UpsertLocations, unit: Unit) -> dict[str, Any]:
    _refuse_duplicates(cmd.locations)
    codes = [loc["code"] for loc in cmd.locations]
    existing = {loc.code: loc for loc in Location.select().where(Location.code.in_(codes))}
    created = 0
    for item in cmd.locations:
        location = existing.get(item["code"]) or Location(code=item["code"])
        created += location.id is None
        location.barcode = item.get("barcode")
        location.zone = item["zone"]
        location.kind = item["kind"]
        location.walk_sequence = item["walk_sequence"]
        location.updated_at = utcnow()
        location.save()
        unit.record(LocationUpserted(location_view(location)))
    return {"created": created, "updated": len(cmd.locations) - created}


def _refuse_duplicates(locations: list[dict[str, Any]]) -> None:
    errors, seen = [], set()
    for i, item in enumerate(locations):
        for key in ("code", "barcode"):
            value = item.get(key)
            if value is None:
                continue
            if (key, value) in seen:
                errors.append(field_error(f"locations[{i}].{key}", f"{value} is given twice"))
            seen.add((key, value))
    if errors:
        raise InvalidInput("some locations are not valid", errors)
