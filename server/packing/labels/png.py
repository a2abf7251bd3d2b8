"""The label as a PNG at the printer's resolution (203 dpi, or 300): Pillow for the text,
zint for the barcode.

Why not rasterize the PDF: a thermal printer's barcode needs every module a whole number
of dots, and zint draws GS1-128 exactly so (4 px at 203 dpi, as the ZPL's ``^BY4``),
where a rasterized vector barcode lands between pixels and blurs its bars. zint is also
~0.05 ms a symbol and adds no PDF renderer to the server. The text is the PDF's (the
same layout, the same Vera faces), drawn with Pillow.
"""

from __future__ import annotations

import io
from functools import cache

import zint
from PIL import Image, ImageDraw, ImageFont

from server.packing.labels.layout import PAGE_HEIGHT, PAGE_WIDTH, Bars, Rule, Text, layout
from server.packing.labels.model import LogisticLabel
from server.packing.labels.text import BOLD, REGULAR, ascent, vera_has, width_of
from server.packing.labels.zpl import SUPPORTED_DPI, module_dots


def render_png(label: LogisticLabel, dpi: int = 203) -> bytes:
    """The label as PNG bytes, 4 x 6 in at `dpi` (812 x 1218 px at 203), greyscale."""
    if dpi not in SUPPORTED_DPI:
        raise ValueError(f"PNG labels are drawn at {SUPPORTED_DPI} dpi, not {dpi}")
    scale = dpi / 72
    image = Image.new("L", (round(PAGE_WIDTH * scale), round(PAGE_HEIGHT * scale)), 255)
    draw = ImageDraw.Draw(image)
    for item in layout(label, vera_has, width_of):
        if isinstance(item, Text):
            font = _font(item.bold, item.size * scale)
            x = (item.x + item.width / 2 if item.centred else item.x) * scale
            baseline = (item.y + ascent(item.bold) * item.size) * scale
            anchor = "ms" if item.centred else "ls"
            draw.text((x, baseline), item.text, fill=0, font=font, anchor=anchor)
        elif isinstance(item, Rule):
            box = (item.x, item.y, item.x + item.width, item.y + item.thickness)
            draw.rectangle([round(v * scale) for v in box], fill=0)
        else:
            bars = barcode_image(item, dpi)
            image.paste(bars, ((image.width - bars.width) // 2, round(item.y * scale)))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", dpi=(dpi, dpi))
    return buffer.getvalue()


def barcode_image(bars: Bars, dpi: int) -> Image.Image:
    """The SSCC's GS1-128 alone, no text, no quiet zone: whole-dot modules at `dpi`."""
    module = module_dots(bars.module_mm, dpi)
    symbol = zint.Symbol()
    symbol.symbology = zint.Symbology.GS1_128
    symbol.input_mode = zint.InputMode.GS1PARENS
    symbol.warn_level = zint.WarningLevel.FAIL_ALL
    symbol.show_text = False
    symbol.scale = module / 2  # zint's scale 1 is 2 px a module
    symbol.height = round(bars.height * dpi / 72) / module  # in modules
    symbol.encode(f"(00){bars.sscc}")
    symbol.buffer()
    bitmap = symbol.bitmap
    if bitmap is None or bitmap.shape is None:
        raise RuntimeError(f"zint drew no bitmap for SSCC {bars.sscc}: {symbol.errtxt}")
    rows, columns = bitmap.shape[0], bitmap.shape[1]
    return Image.frombytes("RGB", (columns, rows), bitmap.tobytes()).convert("L")


@cache
def _font(bold: bool, size: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(BOLD if bold else REGULAR), size)
