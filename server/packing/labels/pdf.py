"""The label as a one-page 4x6 in PDF: Vera text and reportlab's vector Code 128.

The barcode is reportlab's own ``Code128`` fed ``\\xf1`` (FNC1) then ``00`` and the SSCC,
which it encodes as Start C, FNC1, digit pairs: GS1-128, vector bars at X = 0.495 mm.
The fonts are embedded (subset), so the PDF prints the same anywhere. Output is
byte-for-byte the same for the same label (reportlab's invariant mode).
"""

from __future__ import annotations

import io

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from server.packing.labels.layout import PAGE_HEIGHT, PAGE_WIDTH, Bars, Rule, Text, layout
from server.packing.labels.model import LogisticLabel
from server.packing.labels.text import FONT_NAMES, ascent, register_fonts, vera_has, width_of


def render_pdf(label: LogisticLabel) -> bytes:
    """The label as PDF bytes, one page of 288 x 432 pt."""
    register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=True, pageCompression=1)
    canvas.setTitle(f"SSCC {label.sscc}")
    for item in layout(label, vera_has, width_of):
        if isinstance(item, Text):
            _text(canvas, item)
        elif isinstance(item, Rule):
            top = PAGE_HEIGHT - item.y
            canvas.rect(item.x, top - item.thickness, item.width, item.thickness, 0, 1)
        else:
            _bars(canvas, item)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _text(canvas: Canvas, item: Text) -> None:
    canvas.setFont(FONT_NAMES[item.bold], item.size)
    baseline = PAGE_HEIGHT - item.y - ascent(item.bold) * item.size
    if item.centred:
        canvas.drawCentredString(item.x + item.width / 2, baseline, item.text)
    else:
        canvas.drawString(item.x, baseline, item.text)


def _bars(canvas: Canvas, item: Bars) -> None:
    barcode = Code128(
        "\xf1" + "00" + item.sscc,
        barWidth=item.module_mm * mm,
        barHeight=item.height,
        humanReadable=False,
        quiet=False,
    )
    barcode.drawOn(canvas, (PAGE_WIDTH - barcode.width) / 2, PAGE_HEIGHT - item.y - item.height)
