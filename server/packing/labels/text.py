"""Text made safe to print: control characters out, characters a font lacks folded.

A customer's name is printed whatever it holds: characters the font has stay, an accented
letter it lacks loses its accent (``ő`` -> ``o``), a few letters are spelled out (``ß`` ->
``ss``), anything else becomes ``?``. The PDF and the PNG use Bitstream Vera (shipped with
reportlab, Latin-1 and more); the ZPL keeps to printable ASCII, which every resident font
of every printer (and every renderer) has.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from functools import cache
from pathlib import Path

import reportlab
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont, TTFontFile

FONT_DIR = Path(reportlab.__file__).parent / "fonts"
REGULAR = FONT_DIR / "Vera.ttf"
BOLD = FONT_DIR / "VeraBd.ttf"

FONT_NAMES = {False: "FloorlinkLabel", True: "FloorlinkLabel-Bold"}


@cache
def register_fonts() -> None:
    """Make the Vera faces known to reportlab as FONT_NAMES (once)."""
    for bold, name in FONT_NAMES.items():
        pdfmetrics.registerFont(TTFont(name, str(BOLD if bold else REGULAR)))


def width_of(text: str, size: float, bold: bool) -> float:
    """The width of `text` in points in the label's Vera face."""
    register_fonts()
    return pdfmetrics.stringWidth(text, FONT_NAMES[bold], size)


def ascent(bold: bool) -> float:
    """From the top of a line to its baseline, per point of size."""
    register_fonts()
    return pdfmetrics.getAscent(FONT_NAMES[bold]) / 1000


SPELLED = {
    "ß": "ss", "Æ": "AE", "æ": "ae", "Œ": "OE", "œ": "oe", "Ø": "O", "ø": "o", "Ł": "L",
    "ł": "l", "Đ": "D", "đ": "d", "Þ": "Th", "þ": "th", "ı": "i", "€": "EUR",
}  # fmt: skip

Covered = Callable[[str], bool]


def clean(text: str) -> str:
    """NFC, control and format characters as spaces, runs of whitespace as one space."""
    text = unicodedata.normalize("NFC", text)
    kept = (" " if unicodedata.category(ch)[0] in "CZ" else ch for ch in text)
    return " ".join("".join(kept).split())


def fold(text: str, covered: Covered) -> str:
    """`text` cleaned, with every character `covered` rejects replaced (see the module doc)."""
    return "".join(_fold_char(ch, covered) for ch in clean(text))


def _fold_char(ch: str, covered: Covered) -> str:
    if covered(ch):
        return ch
    spelled = SPELLED.get(ch)
    if spelled and all(covered(c) for c in spelled):
        return spelled
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    if base and all(covered(c) for c in base):
        return base
    return "?"


def ascii_printable(ch: str) -> bool:
    return " " <= ch <= "~"


@cache
def _vera_chars() -> frozenset[int]:
    faces = [TTFontFile(str(path)) for path in (REGULAR, BOLD)]
    return frozenset(faces[0].charToGlyph).intersection(faces[1].charToGlyph)


def vera_has(ch: str) -> bool:
    """True when both Vera faces have a glyph for `ch`."""
    return ord(ch) in _vera_chars() and unicodedata.category(ch)[0] not in "C"
