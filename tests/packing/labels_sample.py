"""Shared by the label tests: a sample label, and the independent tools that read labels
back (zplkit renders and parses ZPL, zxing-cpp decodes barcodes, biip checks the SSCC)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from typing import Any

import biip
import zplkit
import zplkit.parse
import zxingcpp
from PIL import Image

from server.packing.labels.model import LogisticLabel, Party

SSCC = "006141411234567890"  # extension 0, GS1's example prefix 0614141, serial 123456789
HOSTILE_NAME = "Zoë ^XZ~JA_ Müller\n\t東京 \\& ~DG ^FS"

LABEL = LogisticLabel(
    sscc=SSCC,
    ship_from=Party("ACME DC 1", ("1 Dock Road",), "62701", "Springfield", "US"),
    ship_to=Party("Jane Doe", ("42 Main Street", "Apt 3"), "97201", "Portland OR", "US"),
    carrier="UPS",
    service="GROUND",
    order_external_id="SO-10042",
    package_number=1,
    package_count=2,
    weight_g=4235,
    ship_date=date(2026, 7, 1),
    tracking="1Z999AA10123456784",
)


def label(**changes: Any) -> LogisticLabel:
    return replace(LABEL, **changes)


def with_ship_to_name(name: str) -> LogisticLabel:
    return label(ship_to=replace(LABEL.ship_to, name=name))


def decode(image: Image.Image) -> list[tuple[str, str]]:
    """Every Code 128 in `image`: (AIM symbology identifier, text), GS1 as bracketed HRI.
    For a GS1 symbol, biip must read the same SSCC from its raw element string."""
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.Code128)
    for barcode in found:
        if barcode.symbology_identifier == "]C1":
            raw = bytes(barcode.bytes).decode("ascii")
            parsed = biip.parse("]C1" + raw)
            assert parsed.gs1_message is not None
            assert "(00)" + parsed.gs1_message.element_strings[0].value == barcode.text
    return [(barcode.symbology_identifier, barcode.text) for barcode in found]


def render_zpl_images(zpl: str | bytes, dpi: int = 203) -> list[Image.Image]:
    """zplkit's rendering of each label in `zpl`, as greyscale images."""
    options = zplkit.Options(dpi=dpi, width=4 * dpi, height=6 * dpi)
    document = zplkit.render(zpl, options)
    images = []
    for scene in document.labels:
        raster = scene.rasterize()
        images.append(Image.frombytes("L", (raster.width, raster.height), bytes(raster.pixels)))
    return images


HEX = re.compile(rb"_([0-9A-Fa-f]{2})")


def zpl_fields(zpl: str | bytes) -> list[str]:
    """The text of every ^FD ... ^FS, as zplkit frames them, ^FH escapes decoded."""
    data = zpl.encode() if isinstance(zpl, str) else zpl
    fields, hex_escapes = [], False
    for element in zplkit.parse.parse(data).elements:
        command = element.data[:3].upper()
        if command == b"^FH":
            hex_escapes = True
        elif command == b"^FD":
            text = element.data[3:]
            if hex_escapes:
                text = HEX.sub(lambda m: bytes([int(m.group(1), 16)]), text)
            fields.append(text.decode("utf-8"))
        elif command == b"^FS":
            hex_escapes = False
    return fields
