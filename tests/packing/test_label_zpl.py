"""The ZPL label, read back by tools nobody here wrote: zplkit renders and parses it,
zxing-cpp decodes its barcode."""

from __future__ import annotations

from dataclasses import replace

import pytest
import zplkit

from server.packing.labels.model import sscc_hri
from server.packing.labels.text import fold
from server.packing.labels.zpl import render_zpl, zpl_has
from tests.packing.labels_sample import (
    HOSTILE_NAME,
    LABEL,
    SSCC,
    decode,
    label,
    with_ship_to_name,
    zpl_fields,
)
from tests.packing.labels_sample import render_zpl_images as zplkit_images


@pytest.mark.parametrize(("dpi", "size"), [(203, (812, 1218)), (300, (1200, 1800))])
def test_the_barcode_is_gs1_128_with_the_sscc(dpi: int, size: tuple[int, int]) -> None:
    zpl = render_zpl(LABEL, dpi)
    [image] = zplkit_images(zpl, dpi)
    assert image.size == size
    assert decode(image) == [("]C1", f"(00){SSCC}")]
    assert f"^FD>;>800{SSCC}^FS" in zpl


def test_without_fnc1_the_decoder_says_plain_code_128() -> None:
    """The check above would catch a label that lost its FNC1."""
    zpl = render_zpl(LABEL).replace(">;>800", ">;00")
    [image] = zplkit_images(zpl)
    assert decode(image) == [("]C0", f"00{SSCC}")]


def test_the_text_fields_come_back() -> None:
    fields = zpl_fields(render_zpl(LABEL))
    for text in (
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
    ):
        assert text in fields


def test_one_label_from_xa_to_xz() -> None:
    zpl = render_zpl(LABEL)
    assert zpl.startswith("^XA") and zpl.rstrip().endswith("^XZ")
    assert zpl.count("^XA") == zpl.count("^XZ") == 1


def test_a_hostile_ship_to_name_still_renders() -> None:
    zpl = render_zpl(with_ship_to_name(HOSTILE_NAME))
    images = zplkit_images(zpl)  # zplkit is strict: a broken field raises
    assert len(images) == 1
    assert decode(images[0]) == [("]C1", f"(00){SSCC}")]
    assert zpl.count("^XZ") == 1 and "~" not in zpl
    assert fold(HOSTILE_NAME, zpl_has) == "Zoe ^XZ~JA_ Muller ?? ?& ~DG ^FS"
    assert "Zoe ^XZ~JA_ Muller ?? ?& ~DG ^FS" in zpl_fields(zpl)


def test_a_long_name_is_cut_inside_the_label() -> None:
    name = "W" * 60 + " Wholesale Widgets Worldwide"
    zpl = render_zpl(with_ship_to_name(name))
    [shown] = [f for f in zpl_fields(zpl) if f.startswith("WWW")]
    assert shown.endswith("...") and len(shown) < len(name)
    [image] = zplkit_images(zpl)
    right_margin = image.crop((image.width - 30, 0, image.width, image.height))
    assert right_margin.getextrema() == (255, 255), "ink in the right margin"


def test_a_sparse_label_renders() -> None:
    """No tracking, no street lines, no postcode: nothing empty is sent to the printer."""
    bare = replace(LABEL.ship_to, lines=(), postcode="", country="")
    zpl = render_zpl(label(ship_to=bare, tracking=None))
    assert "^FD^FS" not in zpl
    assert not any(field.startswith("Tracking") for field in zpl_fields(zpl))
    [image] = zplkit_images(zpl)
    assert decode(image) == [("]C1", f"(00){SSCC}")]


def test_the_sscc_is_spaced_by_the_company_prefix() -> None:
    assert sscc_hri(SSCC) == "(00) 0 0614141 123456789 0"
    assert sscc_hri(SSCC, 9) == "(00) 0 061414112 3456789 0"
    assert "(00) 0 061414112 3456789 0" in zpl_fields(render_zpl(label(gs1_prefix_length=9)))


def test_zplkit_warns_of_nothing_but_its_fonts() -> None:
    document = zplkit.render(render_zpl(LABEL), zplkit.Options(dpi=203))
    assert all("font" in warning.lower() for warning in document.warnings)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"sscc": SSCC[:-1] + "1"}, "wrong check digit"),
        ({"sscc": "12345"}, "18 digits"),
        ({"package_number": 3}, "package 3 of 2"),
        ({"weight_g": -1}, "negative weight"),
        ({"gs1_prefix_length": 12}, "7 to 10 digits"),
    ],
)
def test_a_label_that_cannot_be(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        label(**changes)


def test_only_the_dpi_of_real_printers() -> None:
    with pytest.raises(ValueError, match="dpi"):
        render_zpl(LABEL, 600)
