"""What a scan on the floor names, for every flow: a location (by code or barcode), a
product (by any of its barcodes or a GS1 string's GTIN), a tote (by code). Hand-written
reads (server/rawsql.py): every scan of every flow runs one."""

from __future__ import annotations

from devices.barcode import Scan
from server import rawsql
from server.catalog.barcodes import BadBarcode, normalize
from server.models import Location, Tote


def location_of(text: str) -> Location | None:
    """The location whose code or barcode is `text`."""
    return rawsql.select_one(Location, '"code" = ? OR "barcode" = ?', [text, text])


def product_id_of(scan: Scan) -> int | None:
    """The product one of whose barcodes the scan carries (its GTIN, or the text as a code)."""
    if scan.gtin:
        key = scan.gtin
    else:
        try:
            key = normalize(scan.text)
        except BadBarcode:
            return None
    sql = 'SELECT "product_id" FROM "product_barcode" WHERE "normalized" = ? LIMIT 1'
    found = rawsql.execute(sql, (key,)).fetchone()
    return int(found[0]) if found else None


def tote_of(code: str) -> Tote | None:
    """The tote with this code."""
    return rawsql.select_one(Tote, '"code" = ?', [code])
