"""Scan-to-verify, pure: which picked unit a scan at the pack station is, or why it is
refused. The picked units are what the tote holds for the order (lot and serials as
picked); what is verified so far is counted per picked row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class PickedRow:
    """One tote item of the order: a line's units of one lot (and their serials)."""

    item_id: int
    line_pk: int
    line_id: str
    product_id: int
    sku: str
    name: str
    lot: str
    serials: tuple[str, ...]
    qty: int
    weight_g: int
    dims_mm: tuple[int, int, int]
    expiry: dt.date | None = None


@dataclass(frozen=True)
class ScannedUnit:
    product_id: int | None  # None: no product has the barcode
    text: str
    lot: str | None = None
    serial: str | None = None


@dataclass(frozen=True)
class Match:
    row: PickedRow


@dataclass(frozen=True)
class Refused:
    message: str


def match(
    scan: ScannedUnit,
    rows: Sequence[PickedRow],
    verified: Mapping[int, int],
    serials_verified: frozenset[str],
    of_other_order: bool = False,
) -> Match | Refused:
    """The picked row the scanned unit counts against (first with room), or why not.

    `verified` is the units verified so far per picked row (item id); `of_other_order`
    tells that the product was picked for another order waiting at the pack zone."""
    mine = [r for r in rows if r.product_id == scan.product_id]
    if scan.product_id is None:
        return Refused(f"{scan.text} is not a product barcode: scan a unit of the order")
    if not mine:
        if of_other_order:
            return Refused(f"That unit ({scan.text}) belongs to another order: set it aside")
        return Refused(f"Wrong product {scan.text}: this order has none")
    left = [r for r in mine if verified.get(r.item_id, 0) < r.qty]
    sku = mine[0].sku
    if not left:
        total = sum(r.qty for r in mine)
        return Refused(f"All {total} {sku} of the order are packed already: too many")
    if scan.lot:
        lots = [r for r in left if r.lot == scan.lot]
        if not lots:
            expected = ", ".join(sorted({r.lot for r in left if r.lot})) or "no lot"
            return Refused(f"Wrong lot {scan.lot} of {sku}: {expected} was picked")
        left = lots
    if scan.serial:
        if scan.serial in serials_verified:
            return Refused(f"Serial {scan.serial} is packed already")
        with_serial = [r for r in left if scan.serial in r.serials]
        if not with_serial:
            return Refused(f"Serial {scan.serial} of {sku} was not picked for this order")
        left = with_serial
    elif any(r.serials for r in left):
        return Refused(f"{sku} is serialised: scan its serial number (a GS1 code with (21))")
    return Match(left[0])


def remaining(rows: Sequence[PickedRow], verified: Mapping[int, int]) -> dict[str, int]:
    """Units still to verify, by SKU (in the order of the rows)."""
    left: dict[str, int] = {}
    for row in rows:
        missing = row.qty - verified.get(row.item_id, 0)
        if missing > 0:
            left[row.sku] = left.get(row.sku, 0) + missing
    return left
