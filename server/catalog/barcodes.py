"""Pure rules for product barcodes as the OMS sends them."""

from __future__ import annotations

from biip import ParseError
from biip.gtin import Gtin

GTIN_LENGTHS = (8, 12, 13, 14)


class BadBarcode(ValueError):
    pass


def normalize(barcode: str) -> str:
    """GTINs (check digit verified) become 14 digits; other codes are kept as they are."""
    code = barcode.strip()
    if not code or not code.isprintable() or len(code) > 64:
        raise BadBarcode(f"barcode {barcode!r} is empty, too long or has non-printable characters")
    if code.isdigit() and len(code) in GTIN_LENGTHS:
        try:
            return Gtin.parse(code).value.zfill(14)
        except ParseError as exc:
            raise BadBarcode(f"{code} is not a valid GTIN: {exc}") from None
    return code
