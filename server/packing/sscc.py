"""SSCC-18, the Serial Shipping Container Code that names a package (GS1 AI 00).

Eighteen digits, left to right:

- the extension digit, 0 to 9, the company's to use (it lets a site with one prefix keep
  ten ranges of serials, e.g. one per server or building);
- the site's GS1 Company Prefix, 7 to 10 digits, from config;
- the serial reference: the rest of 16 digits after the prefix, zero-padded, so that a
  prefix of n digits leaves 16 - n digits (`max_serial`: 999,999,999 for 7 digits);
- the check digit: GS1's mod 10 over the first 17 digits (weights 3, 1, 3, ... from the
  right; the check digit makes the sum a multiple of 10).

Composing an SSCC from a number is pure; keeping the numbers unique and never reused,
across restarts and processes, is the store's job.
"""

from __future__ import annotations

PREFIX_DIGITS = range(7, 11)
BODY_DIGITS = 17  # without the check digit


def check_digit(body: str) -> str:
    """GS1's mod-10 check digit of a string of digits (any GS1 key's, here the first 17)."""
    if not body.isascii() or not body.isdigit():
        raise ValueError(f"a check digit is computed over digits, not {body!r}")
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str(-total % 10)


def max_serial(company_prefix: str) -> int:
    """The largest serial reference a prefix leaves room for."""
    _check_prefix(company_prefix)
    return 10 ** (16 - len(company_prefix)) - 1


def compose(extension: int, company_prefix: str, serial: int) -> str:
    """The SSCC of `serial` under `company_prefix` with `extension` (ValueError if none is)."""
    if not 0 <= extension <= 9:
        raise ValueError(f"the extension digit is 0 to 9, not {extension}")
    most = max_serial(company_prefix)
    if not 0 <= serial <= most:
        raise ValueError(f"serial {serial} is outside 0 to {most:,} for prefix {company_prefix}")
    body = f"{extension}{company_prefix}{serial:0{16 - len(company_prefix)}d}"
    return body + check_digit(body)


def why_invalid(sscc: str) -> str | None:
    """Why `sscc` is not a valid SSCC-18 (for the screen), or None when it is."""
    if not sscc.isascii() or not sscc.isdigit():
        return f"an SSCC is 18 digits, not {sscc!r}"
    if len(sscc) != BODY_DIGITS + 1:
        return f"an SSCC is 18 digits, not {len(sscc)} ({sscc})"
    expected = check_digit(sscc[:BODY_DIGITS])
    if sscc[-1] != expected:
        return f"SSCC {sscc} has a wrong check digit: {sscc[-1]}, expected {expected}"
    return None


def is_valid(sscc: str) -> bool:
    return why_invalid(sscc) is None


def _check_prefix(company_prefix: str) -> None:
    digits = company_prefix.isascii() and company_prefix.isdigit()
    if not digits or len(company_prefix) not in PREFIX_DIGITS:
        raise ValueError(f"a GS1 company prefix is 7 to 10 digits, not {company_prefix!r}")
