from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.barcode import DecodeError, Scan, decode

GS = "\x1d"

SCANS = [
    # raw, kind, symbology, gtin, expected extra fields
    ("4006381333931\r", "gtin", None, "04006381333931", {}),
    ("4006381333931\r\n", "gtin", None, "04006381333931", {}),
    (b"4006381333931\n", "gtin", None, "04006381333931", {}),
    ("]E04006381333931", "gtin", "]E0", "04006381333931", {}),
    ("]E496385074", "gtin", "]E4", "00000096385074", {}),
    ("96385074", "gtin", None, "00000096385074", {}),
    ("036000291452", "gtin", None, "00036000291452", {}),
    ("10012345678902", "gtin", None, "10012345678902", {}),
    ("]I110012345678902", "gtin", "]I1", "10012345678902", {}),
    (
        f"]C101095011015300031725010110ABC123{GS}21XYZ",
        "gs1",
        "]C1",
        "09501101530003",
        {"lot": "ABC123", "expiry": date(2025, 1, 1), "serial": "XYZ"},
    ),
    (
        f"]d2010950110153000310LOT-7{GS}17260630\r",
        "gs1",
        "]d2",
        "09501101530003",
        {"lot": "LOT-7", "expiry": date(2026, 6, 30)},
    ),
    (
        f"]Q3010950110153000315251231{GS}",
        "gs1",
        "]Q3",
        "09501101530003",
        {"best_before": date(2025, 12, 31)},
    ),
    ("]e00109501101530003", "gs1", "]e0", "09501101530003", {}),
    (
        "(01)09501101530003(17)250100(10)ABC(37)12",
        "gs1",
        None,
        "09501101530003",
        {"lot": "ABC", "expiry": date(2025, 1, 31), "count": 12},
    ),
    ("]C1(01)09501101530003(21)S-1", "gs1", "]C1", "09501101530003", {"serial": "S-1"}),
    (
        f"0209501101530003{GS}3724{GS}11250101",
        "gs1",
        None,
        "09501101530003",
        {"count": 24},
    ),
    (
        "01095011015300031725010110LOT",
        "gs1",
        None,
        "09501101530003",
        {"lot": "LOT", "expiry": date(2025, 1, 1)},
    ),
    (
        "https://id.gs1.org/01/09506000134352/10/ABC1?17=250101",
        "gs1",
        None,
        "09506000134352",
        {"lot": "ABC1", "expiry": date(2025, 1, 1)},
    ),
    ("]C100376104250021234569", "sscc", "]C1", None, {"sscc": "376104250021234569"}),
    ("00376104250021234569", "sscc", None, None, {"sscc": "376104250021234569"}),
    ("376104250021234569", "sscc", None, None, {"sscc": "376104250021234569"}),
    ("(00)376104250021234569", "sscc", None, None, {"sscc": "376104250021234569"}),
    ("A-01-02-1\r", "plain", None, None, {"text": "A-01-02-1"}),
    ("TOTE-0001", "plain", None, None, {"text": "TOTE-0001"}),
    ("BADGE:0042", "plain", None, None, {}),
    ("SKU-MUG-RED", "plain", None, None, {}),
    ("]C0TOTE-0001", "plain", "]C0", None, {"text": "TOTE-0001"}),
    ("]A0LOC A 01", "plain", "]A0", None, {"text": "LOC A 01"}),
    ("]C00109501101530003172501", "plain", "]C0", None, {}),
    ("1234567", "plain", None, None, {}),
    ("https://example.com/track/42", "plain", None, None, {}),
    ("Größe-M", "plain", None, None, {}),
]


@pytest.mark.parametrize(("raw", "kind", "symbology", "gtin", "fields"), SCANS)
def test_decodes_real_world_scans(
    raw: str | bytes, kind: str, symbology: str | None, gtin: str | None, fields: dict
) -> None:
    scan = decode(raw)
    assert isinstance(scan, Scan), scan
    assert (scan.kind, scan.symbology, scan.gtin) == (kind, symbology, gtin)
    for name, value in fields.items():
        assert getattr(scan, name) == value


def test_keeps_raw_line_and_fnc1_as_gs() -> None:
    raw = f"]C10109501101530003{GS}10A\r"
    scan = decode(raw)
    assert isinstance(scan, Scan)
    assert scan.raw == raw
    assert scan.text == f"0109501101530003{GS}10A"
    assert scan.elements == (("01", "09501101530003"), ("10", "A"))


ERRORS = [
    ("4006381333932", "Bad check digit in GTIN 4006381333932: expected 1"),
    ("]E04006381333932", "Bad check digit in GTIN 4006381333932: expected 1"),
    ("96385075", "Bad check digit in GTIN 96385075: expected 4"),
    ("036000291453", "Bad check digit in GTIN 036000291453: expected 2"),
    ("10012345678903", "Bad check digit in GTIN 10012345678903: expected 2"),
    ("376104250021234560", "Bad check digit in SSCC 376104250021234560: expected 9"),
    ("]C10109501101530004", "Bad check digit in GTIN (01) 09501101530004: expected 3"),
    ("(01)09501101530004(10)A", "Bad check digit in GTIN (01) 09501101530004: expected 3"),
    ("]C100376104250021234560", "Bad check digit in SSCC (00) 376104250021234560: expected 9"),
    ("https://id.gs1.org/01/09506000134353", "Bad check digit in GTIN (01)"),
    ("]C10109501101530003172513011", "Invalid value for GS1 AI (17)"),
    ("]C1010950110153000310" + "A" * 25, "Unknown GS1 application identifier at 'AAAAA'"),
    ("]E0ABC", "Not a GTIN"),
    ("", "Empty scan"),
    ("\r\n", "Empty scan"),
    ("]C1\r", "Empty scan after symbology identifier ]C1"),
    ("x" * 513, "Scan too long: 513 characters (max 512)"),
    ("AB\x00CD", "Unreadable character 0x00 at 2"),
    ("AB\tCD", "Unreadable character 0x09 at 2"),
    (b"\xff\xfe\x80\x81", "Not text: byte 0xff at 0"),
    (b"TOTE-\x80", "Not text: byte 0x80 at 5"),
]


@pytest.mark.parametrize(("raw", "message"), ERRORS)
def test_rejects_bad_scans_with_a_clear_message(raw: str | bytes, message: str) -> None:
    result = decode(raw)
    assert isinstance(result, DecodeError), result
    assert result.message.startswith(message)


def test_a_512_character_code_is_still_accepted() -> None:
    assert isinstance(decode("Z" * 512 + "\r\n"), Scan)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=700) | st.text(max_size=700))
def test_decode_never_raises(raw: bytes | str) -> None:
    result = decode(raw)
    assert isinstance(result, Scan | DecodeError)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["]C1", "]d2", "]Q3", "]e0", ""]), st.text("0123456789()\x1dA", max_size=60))
def test_decode_never_raises_on_gs1_like_input(prefix: str, body: str) -> None:
    assert isinstance(decode(prefix + body), Scan | DecodeError)
