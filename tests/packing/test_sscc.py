"""SSCC-18, table-tested against known codes and cross-checked with biip (another GS1 parser)."""

from __future__ import annotations

import biip
import pytest

from server.packing.sscc import check_digit, compose, is_valid, max_serial, why_invalid

GS1_EXAMPLE = "106141411234567897"  # GS1's example: extension 1, prefix 0614141, serial 123456789


@pytest.mark.parametrize(
    ("extension", "prefix", "serial", "sscc"),
    [
        (1, "0614141", 123456789, GS1_EXAMPLE),
        (0, "0614141", 123456789, "006141411234567890"),
        (0, "0614141", 0, "006141410000000005"),  # by hand: 6·3+1+4·3+1+4·3+1 = 45
        (9, "0614141", 999_999_999, "906141419999999997"),
        (3, "40123456", 1, "340123456000000019"),
        (0, "123456789", 42, "012345678900000425"),
        (5, "1234567890", 999_999, "512345678909999992"),
    ],
)
def test_compose(extension: int, prefix: str, serial: int, sscc: str) -> None:
    assert compose(extension, prefix, serial) == sscc
    assert why_invalid(sscc) is None and is_valid(sscc)
    parsed = biip.parse("00" + sscc).sscc
    assert parsed is not None and parsed.value == sscc
    assert parsed.extension_digit == extension and parsed.check_digit == int(sscc[-1])


@pytest.mark.parametrize(
    ("body", "digit"),
    [
        ("10614141123456789", "7"),
        ("00614141123456789", "0"),
        ("0000000000000", "0"),
        ("629104150021", "3"),
    ],
)
def test_check_digit(body: str, digit: str) -> None:
    assert check_digit(body) == digit  # the last: GS1's GTIN-13 example 6291041500213


@pytest.mark.parametrize(
    ("prefix", "most"),
    [
        ("0614141", 999_999_999),
        ("06141411", 99_999_999),
        ("061414112", 9_999_999),
        ("0614141123", 999_999),
    ],
)
def test_max_serial(prefix: str, most: int) -> None:
    assert max_serial(prefix) == most
    last = compose(0, prefix, most)
    assert len(last) == 18 and is_valid(last) and biip.parse("00" + last).sscc is not None


@pytest.mark.parametrize(
    ("sscc", "why"),
    [
        ("106141411234567890", "SSCC 106141411234567890 has a wrong check digit: 0, expected 7"),
        ("006141411234567891", "SSCC 006141411234567891 has a wrong check digit: 1, expected 0"),
        ("10614141123456789", "an SSCC is 18 digits, not 17 (10614141123456789)"),
        ("0010614141123456789", "an SSCC is 18 digits, not 19 (0010614141123456789)"),
        ("(00)106141411234567897", "an SSCC is 18 digits, not '(00)106141411234567897'"),
        ("10614141123456789X", "an SSCC is 18 digits, not '10614141123456789X'"),
        ("１06141411234567897", "an SSCC is 18 digits, not '１06141411234567897'"),  # full-width 1
        ("", "an SSCC is 18 digits, not ''"),
    ],
)
def test_invalid(sscc: str, why: str) -> None:
    assert why_invalid(sscc) == why and not is_valid(sscc)


@pytest.mark.parametrize("sscc", ["106141411234567890", "006141411234567891"])
def test_biip_agrees_on_a_bad_check_digit(sscc: str) -> None:
    result = biip.parse("00" + sscc)
    assert result.sscc is None and result.sscc_error is not None


@pytest.mark.parametrize(
    ("extension", "prefix", "serial", "error"),
    [
        (10, "0614141", 1, "the extension digit is 0 to 9, not 10"),
        (-1, "0614141", 1, "the extension digit is 0 to 9, not -1"),
        (0, "061414", 1, "a GS1 company prefix is 7 to 10 digits, not '061414'"),
        (0, "06141411234", 1, "a GS1 company prefix is 7 to 10 digits, not '06141411234'"),
        (0, "06141A1", 1, "a GS1 company prefix is 7 to 10 digits, not '06141A1'"),
        (
            0,
            "0614141",
            1_000_000_000,
            "serial 1000000000 is outside 0 to 999,999,999 for prefix 0614141",
        ),
        (0, "0614141123", -1, "serial -1 is outside 0 to 999,999 for prefix 0614141123"),
    ],
)
def test_compose_refuses(extension: int, prefix: str, serial: int, error: str) -> None:
    with pytest.raises(ValueError) as raised:
        compose(extension, prefix, serial)
    assert str(raised.value) == error
