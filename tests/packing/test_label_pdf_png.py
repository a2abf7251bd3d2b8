"""The PDF and PNG labels, read back: pypdf extracts the PDF's text, pypdfium2 rasterizes
it, zxing-cpp decodes the barcodes."""

from __future__ import annotations

import io

import pypdf
import pypdfium2
import pytest
from PIL import Image

from server.packing.labels.pdf import render_pdf
from server.packing.labels.png import render_png
from server.packing.labels.text import fold, vera_has
from tests.packing.labels_sample import HOSTILE_NAME, LABEL, SSCC, decode, with_ship_to_name

FIELDS = (
    "Jane Doe",
    "42 Main Street",
    "97201 Portland OR",
    "ACME DC 1",
    "UPS",
    "GROUND",
    "SO-10042",
    "1 of 2",
    "4.235 kg",
    "2026-07-01",
    "Tracking 1Z999AA10123456784",
    "(00) 0 0614141 123456789 0",
)


def pdf_lines(pdf: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text().splitlines()


def rasterize(pdf: bytes, dpi: int) -> Image.Image:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return document[0].render(scale=dpi / 72).to_pil().convert("L")
    finally:
        document.close()


def test_the_pdf_is_one_4x6_page_with_every_field() -> None:
    pdf = render_pdf(LABEL)
    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
    assert [float(v) for v in page.mediabox] == [0, 0, 288, 432]
    lines = pdf_lines(pdf)
    for text in FIELDS:
        assert text in lines


@pytest.mark.parametrize("dpi", [203, 300])
def test_the_pdf_barcode_decodes_to_the_sscc(dpi: int) -> None:
    assert decode(rasterize(render_pdf(LABEL), dpi)) == [("]C1", f"(00){SSCC}")]


def test_the_pdf_barcode_is_vector() -> None:
    page = pypdf.PdfReader(io.BytesIO(render_pdf(LABEL))).pages[0]
    assert list(page.images) == []


def test_the_pdf_is_the_same_for_the_same_label() -> None:
    assert render_pdf(LABEL) == render_pdf(LABEL)


def test_a_hostile_name_in_the_pdf() -> None:
    pdf = render_pdf(with_ship_to_name(HOSTILE_NAME))
    shown = fold(HOSTILE_NAME, vera_has)
    assert shown == "Zoë ^XZ~JA_ Müller ?? \\& ~DG ^FS"  # Vera has ë and ü, not 東京
    assert "Zoë ^XZ~JA_ Müller ?? \\& ~DG..." in pdf_lines(pdf)  # cut to fit at 14 pt
    assert decode(rasterize(pdf, 203)) == [("]C1", f"(00){SSCC}")]


@pytest.mark.parametrize(("dpi", "size", "module"), [(203, (812, 1218), 4), (300, (1200, 1800), 6)])
def test_the_png_decodes_to_the_sscc(dpi: int, size: tuple[int, int], module: int) -> None:
    image = Image.open(io.BytesIO(render_png(LABEL, dpi)))
    assert image.format == "PNG" and image.size == size
    assert [round(v) for v in image.info["dpi"]] == [dpi, dpi]
    assert decode(image) == [("]C1", f"(00){SSCC}")]
    assert bar_runs(image) == {module * n for n in (1, 2, 3, 4)}


def bar_runs(image: Image.Image) -> set[int]:
    """The widths of the bars and spaces across the middle of the barcode, in pixels:
    whole multiples of the module (Code 128's elements are 1 to 4 modules)."""
    row = image.height * 3 // 4  # through the bars, under the text
    pixels = [image.getpixel((x, row)) for x in range(image.width)]
    dark = [x for x, value in enumerate(pixels) if value == 0]
    runs, start = [], dark[0]
    for x in range(dark[0] + 1, dark[-1] + 2):
        if (pixels[x] == 0) != (pixels[x - 1] == 0):
            runs.append(x - start)
            start = x
    return set(runs)


def test_a_hostile_name_in_the_png() -> None:
    image = Image.open(io.BytesIO(render_png(with_ship_to_name(HOSTILE_NAME))))
    assert decode(image) == [("]C1", f"(00){SSCC}")]
