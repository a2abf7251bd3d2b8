"""The label as ZPL II for a 4x6 in thermal printer, 203 dpi (or 300).

Text is in the resident font 0, folded to printable ASCII and sent with ``^FH_`` so that
``^``, ``~`` and ``_`` travel as ``_5E``, ``_7E`` and ``_5F``: whatever a customer's name
holds, it cannot end a field or start a command. The SSCC is ``^BC`` Code 128 started in
subset C with FNC1 (``>;>8``) then ``00`` and the 18 digits: GS1-128, AI 00.
"""

from __future__ import annotations

from server.packing.labels.layout import (
    PAGE_HEIGHT,
    PAGE_WIDTH,
    SSCC_MODULES,
    Item,
    Rule,
    Text,
    WidthOf,
    layout,
)
from server.packing.labels.model import LogisticLabel
from server.packing.labels.text import ascii_printable

SUPPORTED_DPI = (203, 300)
ESCAPED = "^~_"
# Font 0's advance per character over its height, on the safe side (measured, rounded up).
NARROW, WIDE, USUAL = " ijlIftr!'.,:;`[]()/", "mMwW@%+=-<>&", (0.3, 0.9, 0.62)


def render_zpl(label: LogisticLabel, dpi: int = 203) -> str:
    """One label, ``^XA`` to ``^XZ``, for a printer of `dpi` dots per inch."""
    if dpi not in SUPPORTED_DPI:
        raise ValueError(f"ZPL labels are for {SUPPORTED_DPI} dpi printers, not {dpi}")
    scale = dpi / 72
    lines = ["^XA", "^CI28", f"^PW{round(PAGE_WIDTH * scale)}", f"^LL{round(PAGE_HEIGHT * scale)}"]
    lines.append("^LH0,0")
    lines += (_command(item, scale, dpi) for item in layout(label, zpl_has, _width_of(scale)))
    lines.append("^XZ")
    return "\n".join(lines) + "\n"


def zpl_has(ch: str) -> bool:
    """Printable ASCII but the backslash (a line break in ``^FB``, where it is ``\\&``)."""
    return ascii_printable(ch) and ch != "\\"


def escape(text: str) -> str:
    """Field data for ``^FH_``: the caret, the tilde and the underscore as ``_XX``."""
    return "".join(f"_{ord(ch):02X}" if ch in ESCAPED else ch for ch in text)


def module_dots(module_mm: float, dpi: int) -> int:
    """The barcode's X in whole dots (4 at 203 dpi, 6 at 300)."""
    return max(1, round(module_mm * dpi / 25.4))


def _width_of(scale: float) -> WidthOf:
    narrow, wide, usual = USUAL

    def width_of(text: str, size: float, bold: bool) -> float:
        per_char = (narrow if c in NARROW else wide if c in WIDE else usual for c in text)
        return sum(per_char) * round(size * scale) / scale

    return width_of


def _command(item: Item, scale: float, dpi: int) -> str:
    def dots(value: float) -> int:
        return round(value * scale)

    if isinstance(item, Text):
        height = dots(item.size)
        block = f"^FB{dots(item.width)},1,0,C,0" if item.centred else ""
        return (
            f"^FO{dots(item.x)},{dots(item.y)}^A0N,{height},{height}{block}"
            f"^FH_^FD{escape(item.text)}^FS"
        )
    if isinstance(item, Rule):
        thickness = max(1, dots(item.thickness))
        return f"^FO{dots(item.x)},{dots(item.y)}^GB{dots(item.width)},{thickness},{thickness}^FS"
    module = module_dots(item.module_mm, dpi)
    left = (dots(PAGE_WIDTH) - SSCC_MODULES * module) // 2
    height = dots(item.height)
    return (
        f"^FO{left},{dots(item.y)}^BY{module},3,{height}^BCN,{height},N,N,N^FD>;>800{item.sscc}^FS"
    )
