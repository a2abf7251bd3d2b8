"""Where everything goes on the 4x6 in label, once for ZPL, PDF and PNG.

From the top, as the GS1 logistic label has it: ship from, ship to, the carrier block
(carrier, service, order, tracking on the left; package n of m, weight, date on the
right) and the SSCC block, its GS1-128 barcode at the bottom with the human-readable
``(00) ...`` under the bars. Positions are points (1/72 in) from the top left; a drawer
scales them to its dots or pixels. Text is folded to what the drawer's font has and cut
to fit its box with the drawer's own measure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from server.packing.labels.model import LogisticLabel, Party
from server.packing.labels.text import Covered, fold

PAGE_WIDTH = 288.0  # 4 in
PAGE_HEIGHT = 432.0  # 6 in
MARGIN = 12.0
INNER = PAGE_WIDTH - 2 * MARGIN
LEADING = 1.2
MM = 72 / 25.4
# GS1 logistic label: X of 0.495 mm and bars 32 mm high.
MODULE_MM = 0.495
BAR_HEIGHT = 32 * MM
# Start C, FNC1, ten pairs of digits, the check character (11 modules each), stop (13).
SSCC_MODULES = 11 * 13 + 13
BARS_TOP = 300.0

WidthOf = Callable[[str, float, bool], float]


@dataclass(frozen=True)
class Text:
    """One line of text; its top at `y`. Centred in [x, x + width] when `centred`."""

    x: float
    y: float
    size: float
    text: str
    width: float
    bold: bool = False
    centred: bool = False


@dataclass(frozen=True)
class Rule:
    """A horizontal line, `thickness` thick, its top at `y`."""

    x: float
    y: float
    width: float
    thickness: float


@dataclass(frozen=True)
class Bars:
    """The SSCC as GS1-128 (FNC1 then AI 00), centred on the page, its top at `y`."""

    y: float
    height: float
    sscc: str
    module_mm: float = MODULE_MM


Item = Text | Rule | Bars


def fit(text: str, size: float, bold: bool, width: float, width_of: WidthOf) -> str:
    """`text` if it fits in `width`, else as much of it as fits followed by ``...``."""
    if width_of(text, size, bold) <= width:
        return text
    for end in range(len(text) - 1, 0, -1):
        cut = text[:end].rstrip() + "..."
        if width_of(cut, size, bold) <= width:
            return cut
    return ""


class _Column:
    """Lines going down one column, each folded and fitted."""

    def __init__(self, x: float, y: float, width: float, covered: Covered, width_of: WidthOf):
        self.x, self.y, self.width = x, y, width
        self.covered, self.width_of = covered, width_of
        self.items: list[Item] = []

    def line(self, text: str, size: float, bold: bool = False, centred: bool = False) -> None:
        """One line (none for empty text), then down by the line's height."""
        shown = fit(fold(text, self.covered), size, bold, self.width, self.width_of)
        if shown:
            self.items.append(Text(self.x, self.y, size, shown, self.width, bold, centred))
            self.y += size * LEADING

    def caption(self, text: str) -> None:
        if self.items:
            self.y += 3
        self.line(text, 6.5, bold=True)

    def party(self, caption: str, party: Party, sizes: tuple[float, float], max_lines: int) -> None:
        name_size, size = sizes
        self.caption(caption)
        self.line(party.name, name_size, bold=True)
        lines = list(party.lines)
        if len(lines) > max_lines:
            lines[max_lines - 1 :] = [", ".join(lines[max_lines - 1 :])]
        for text in lines:
            self.line(text, size)
        self.line(party.locality, size + 1, bold=True)
        self.line(party.country, size, bold=True)


def layout(label: LogisticLabel, covered: Covered, width_of: WidthOf) -> list[Item]:
    """The label's items, text folded by `covered` and fitted with `width_of`."""
    top = _Column(MARGIN, MARGIN, INNER, covered, width_of)
    top.party("FROM", label.ship_from, (9, 8), max_lines=2)
    items = [*top.items, Rule(MARGIN, 86, INNER, 1)]
    to = _Column(MARGIN, 92, INNER, covered, width_of)
    to.party("TO", label.ship_to, (14, 11), max_lines=3)
    items += [*to.items, Rule(MARGIN, 192, INNER, 1)]
    items += _carrier(label, covered, width_of)
    items.append(Rule(MARGIN, 280, INNER, 2))
    sscc = _Column(MARGIN, 286, INNER, covered, width_of)
    sscc.caption("SSCC")
    items += sscc.items
    items.append(Bars(BARS_TOP, BAR_HEIGHT, label.sscc))
    hri = _Column(MARGIN, BARS_TOP + BAR_HEIGHT + 5, INNER, covered, width_of)
    hri.line(label.sscc_hri, 12, bold=True, centred=True)
    return items + hri.items


def _carrier(label: LogisticLabel, covered: Covered, width_of: WidthOf) -> list[Item]:
    left = _Column(MARGIN, 198, 166, covered, width_of)
    left.caption("CARRIER")
    left.line(label.carrier, 16, bold=True)
    left.line(label.service, 11)
    left.caption("ORDER")
    left.line(label.order_external_id, 12, bold=True)
    if label.tracking:
        left.line(f"Tracking {label.tracking}", 8)
    right = _Column(MARGIN + 176, 198, INNER - 176, covered, width_of)
    right.caption("PACKAGE")
    right.line(label.package_of, 16, bold=True)
    right.caption("WEIGHT")
    right.line(label.weight, 12, bold=True)
    right.line(label.ship_date.isoformat(), 9)
    return left.items + right.items
