"""GS1 element strings, HRI and Digital Link URIs turned into scan fields, via biip.

Used by :mod:`devices.barcode`; every failure is returned as a human message (str), never
raised, so the decoder stays total.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from biip import BiipException
from biip.checksums import gs1_standard_check_digit
from biip.gs1_digital_link_uris import GS1DigitalLinkURI
from biip.gs1_element_strings import GS1ElementString
from biip.gs1_messages import GS1Message

HRI_START = re.compile(r"^\(\d{2,4}\)")
DIGITAL_LINK_KEY = re.compile(r"/(00|01|02)/\d")
PATTERN_MISMATCH = re.compile(r"^Failed to match '(.*)' with GS1 AI \((\d+)\) pattern", re.S)
CHECKED_KEYS = {"00": "SSCC", "01": "GTIN", "02": "GTIN"}


@dataclass(frozen=True)
class Gs1Fields:
    """What the floor reads from a GS1 message."""

    elements: tuple[tuple[str, str], ...]
    gtin: str | None = None
    sscc: str | None = None
    lot: str | None = None
    expiry: date | None = None
    best_before: date | None = None
    serial: str | None = None
    count: int | None = None


def check_digit_error(kind: str, digits: str) -> str | None:
    """Return a message when the last digit of ``digits`` is not its GS1 check digit."""
    expected = gs1_standard_check_digit(digits[:-1])
    if int(digits[-1]) == expected:
        return None
    return f"Bad check digit in {kind} {digits}: expected {expected}"


def parse_element_string(body: str) -> Gs1Fields | str:
    """Parse raw element strings (FNC1 as GS), e.g. ``0109501101530003\\x1d10ABC``."""
    try:
        message = GS1Message.parse(body)
    except BiipException as exc:
        return _translate(exc)
    return _fields(message.element_strings)


def parse_hri(body: str) -> Gs1Fields | str:
    """Parse the bracketed human-readable form, e.g. ``(01)09501101530003(10)ABC``."""
    try:
        message = GS1Message.parse_hri(body)
    except BiipException as exc:
        return _translate(exc)
    return _fields(message.element_strings)


def parse_digital_link(url: str) -> Gs1Fields | str:
    """Parse a GS1 Digital Link URI, e.g. ``https://id.gs1.org/01/09501101530003/10/AB``."""
    try:
        uri = GS1DigitalLinkURI.parse(url)
    except BiipException as exc:
        return _translate(exc)
    return _fields(uri.element_strings)


def looks_like_digital_link(url: str) -> bool:
    """True when a URL carries a GS1 primary key (SSCC or GTIN) in its path."""
    return DIGITAL_LINK_KEY.search(url) is not None


def _translate(exc: BiipException) -> str:
    text = str(exc)
    mismatch = PATTERN_MISMATCH.match(text)
    if mismatch:
        value, ai = mismatch.groups()
        return f"Invalid value for GS1 AI ({ai}) in {value!r}"
    if text.startswith("Failed to get GS1 Application Identifier from"):
        rest = text.split("from", 1)[1].strip().rstrip(".")
        return f"Unknown GS1 application identifier at {rest}"
    return text


def _fields(elements: list[GS1ElementString]) -> Gs1Fields | str:
    if not elements:
        return "No GS1 element strings found"
    for element in elements:
        error = _element_error(element)
        if error:
            return error
    by_ai = {element.ai.ai: element for element in elements}
    gtin = by_ai.get("01") or by_ai.get("02")
    count = by_ai.get("37")
    return Gs1Fields(
        elements=tuple((element.ai.ai, element.value) for element in elements),
        gtin=gtin.value if gtin else None,
        sscc=by_ai["00"].value if "00" in by_ai else None,
        lot=_value(by_ai, "10"),
        expiry=by_ai["17"].date if "17" in by_ai else None,
        best_before=by_ai["15"].date if "15" in by_ai else None,
        serial=_value(by_ai, "21"),
        count=int(count.value) if count else None,
    )


def _element_error(element: GS1ElementString) -> str | None:
    kind = CHECKED_KEYS.get(element.ai.ai)
    if kind is None:
        return None
    if element.value.isascii() and element.value.isdigit():
        error = check_digit_error(f"{kind} ({element.ai.ai})", element.value)
        if error:
            return error
    return element.gtin_error or element.sscc_error


def _value(by_ai: dict[str, GS1ElementString], ai: str) -> str | None:
    element = by_ai.get(ai)
    return element.value if element else None
