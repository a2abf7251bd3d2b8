"""One pure decoder for every barcode source: serial scanners, bridges, kiosks.

``decode(raw)`` returns a :class:`Scan` or a :class:`DecodeError`; it never raises. It
strips the line terminator, reads the AIM symbology identifier when present, verifies
check digits and reads GS1 element strings (raw with FNC1 as GS, bracketed HRI, or a GS1
Digital Link URL). Anything else printable is a ``plain`` code (locations, totes, badges,
internal SKUs) for the workflows to look up.
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from biip.symbology import GS1Symbology, SymbologyIdentifier

from devices import gs1

logger = logging.getLogger(__name__)

GS = "\x1d"
MAX_LENGTH = 512
GTIN_LENGTHS = (8, 12, 13, 14)
SSCC_LENGTH = 18
AIM_PREFIX = re.compile(r"^\][A-Za-z][0-9A-Za-z]")
KEYED_ELEMENT_STRING = re.compile(r"^(00\d{18}|0[12]\d{14})")
ELEMENT_STRING_SYMBOLOGIES = GS1Symbology.with_gs1_messages()
GTIN_SYMBOLOGIES = GS1Symbology.with_gtin()

Kind = Literal["gtin", "sscc", "gs1", "plain"]


@dataclass(frozen=True)
class Scan:
    """A decoded barcode. ``text`` is the cleaned content without the AIM prefix."""

    raw: str
    text: str
    kind: Kind
    symbology: str | None = None
    gtin: str | None = None
    sscc: str | None = None
    lot: str | None = None
    expiry: date | None = None
    best_before: date | None = None
    serial: str | None = None
    count: int | None = None
    elements: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class DecodeError:
    """A line that is not a usable scan, with a message fit for the floor screen."""

    raw: str
    message: str


def decode(raw: str | bytes) -> Scan | DecodeError:
    """Decode one scanned line (with or without its CR/LF terminator)."""
    text = _as_text(raw)
    if isinstance(text, DecodeError):
        return text
    try:
        return _decode_text(text)
    except Exception:  # a bug in a parser must not stop a reader thread
        logger.exception("Barcode decoder failed on %r", text)
        return DecodeError(text, "Could not decode this barcode")


def _as_text(raw: str | bytes) -> str | DecodeError:
    if isinstance(raw, str):
        return raw
    if not isinstance(raw, bytes | bytearray):
        return DecodeError(repr(raw), "Not text")
    data = bytes(raw)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        shown = data.decode("utf-8", "backslashreplace")
        return DecodeError(shown, f"Not text: byte 0x{data[exc.start]:02x} at {exc.start}")


def _decode_text(raw: str) -> Scan | DecodeError:
    text = raw.strip("\r\n")
    if len(text) > MAX_LENGTH:
        return DecodeError(raw, f"Scan too long: {len(text)} characters (max {MAX_LENGTH})")
    text = text.strip(" " + GS)
    if not text:
        return DecodeError(raw, "Empty scan")
    for position, char in enumerate(text):
        if char != GS and not char.isprintable():
            return DecodeError(raw, f"Unreadable character 0x{ord(char):02x} at {position}")
    symbology, body = _split_symbology(text)
    if not body:
        return DecodeError(raw, f"Empty scan after symbology identifier {symbology}")
    return _classify(raw, symbology, body)


def _split_symbology(text: str) -> tuple[str | None, str]:
    if AIM_PREFIX.match(text):
        return text[:3], text[3:]
    return None, text


@functools.lru_cache(maxsize=256)
def _gs1_symbology(symbology: str | None) -> GS1Symbology | None:
    if symbology is None:
        return None
    return SymbologyIdentifier.extract(symbology).gs1_symbology


def _classify(raw: str, symbology: str | None, body: str) -> Scan | DecodeError:
    family = _gs1_symbology(symbology)
    digits = body.isascii() and body.isdigit()
    if body.startswith(("http://", "https://")) and gs1.looks_like_digital_link(body):
        return _from_gs1(raw, symbology, body, gs1.parse_digital_link(body))
    if gs1.HRI_START.match(body):
        return _from_gs1(raw, symbology, body, gs1.parse_hri(body))
    if family in ELEMENT_STRING_SYMBOLOGIES:
        return _from_gs1(raw, symbology, body, gs1.parse_element_string(body))
    if family in GTIN_SYMBOLOGIES or (digits and len(body) in GTIN_LENGTHS):
        return _gtin(raw, symbology, body)
    if digits and len(body) == SSCC_LENGTH:
        return _sscc(raw, symbology, body)
    if symbology is None and _looks_like_element_string(body):
        return _from_gs1(raw, symbology, body, gs1.parse_element_string(body))
    return Scan(raw=raw, text=body, kind="plain", symbology=symbology)


def _looks_like_element_string(body: str) -> bool:
    """Without an AIM prefix: GS separators, or led by an SSCC (00) or GTIN (01, 02)."""
    return GS in body or (len(body) > 14 and KEYED_ELEMENT_STRING.match(body) is not None)


def _gtin(raw: str, symbology: str | None, body: str) -> Scan | DecodeError:
    if not (body.isascii() and body.isdigit() and len(body) in GTIN_LENGTHS):
        return DecodeError(raw, f"Not a GTIN: {body!r} (expected 8, 12, 13 or 14 digits)")
    error = gs1.check_digit_error("GTIN", body)
    if error:
        return DecodeError(raw, error)
    return Scan(raw=raw, text=body, kind="gtin", symbology=symbology, gtin=body.zfill(14))


def _sscc(raw: str, symbology: str | None, body: str) -> Scan | DecodeError:
    error = gs1.check_digit_error("SSCC", body)
    if error:
        return DecodeError(raw, error)
    return Scan(raw=raw, text=body, kind="sscc", symbology=symbology, sscc=body)


def _from_gs1(
    raw: str, symbology: str | None, body: str, fields: gs1.Gs1Fields | str
) -> Scan | DecodeError:
    if isinstance(fields, str):
        return DecodeError(raw, fields)
    only_sscc = [ai for ai, _ in fields.elements] == ["00"]
    return Scan(
        raw=raw,
        text=body,
        kind="sscc" if only_sscc else "gs1",
        symbology=symbology,
        gtin=_gtin_14(fields.gtin),
        sscc=fields.sscc,
        lot=fields.lot,
        expiry=fields.expiry,
        best_before=fields.best_before,
        serial=fields.serial,
        count=fields.count,
        elements=fields.elements,
    )


def _gtin_14(value: str | None) -> str | None:
    return value.zfill(14) if value else None
