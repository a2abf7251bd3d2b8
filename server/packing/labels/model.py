"""What a package label says: the SSCC, who ships to whom, carrier, order, package n of m."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from server.packing.sscc import PREFIX_DIGITS, why_invalid


@dataclass(frozen=True)
class Party:
    """A ship-from or ship-to address as printed: name, street lines, postcode, city, country."""

    name: str
    lines: tuple[str, ...]
    postcode: str
    city: str
    country: str

    @property
    def locality(self) -> str:
        return f"{self.postcode} {self.city}".strip()


@dataclass(frozen=True)
class LogisticLabel:
    """One package's label. `weight_g` is the measured weight; `gs1_prefix_length` is the
    length of the site's GS1 company prefix, used only to space the SSCC's printed digits."""

    sscc: str
    ship_from: Party
    ship_to: Party
    carrier: str
    service: str
    order_external_id: str
    package_number: int
    package_count: int
    weight_g: int
    ship_date: date
    tracking: str | None = None
    gs1_prefix_length: int = 7

    def __post_init__(self) -> None:
        error = why_invalid(self.sscc)
        if error:
            raise ValueError(error)
        if not 1 <= self.package_number <= self.package_count:
            raise ValueError(f"package {self.package_number} of {self.package_count}")
        if self.weight_g < 0:
            raise ValueError(f"negative weight: {self.weight_g} g")
        if self.gs1_prefix_length not in PREFIX_DIGITS:
            raise ValueError(
                f"a GS1 company prefix is 7 to 10 digits, not {self.gs1_prefix_length}"
            )

    @property
    def package_of(self) -> str:
        return f"{self.package_number} of {self.package_count}"

    @property
    def weight(self) -> str:
        """The weight in kg, to the gram: ``4.235 kg``."""
        return f"{self.weight_g // 1000}.{self.weight_g % 1000:03d} kg"

    @property
    def sscc_hri(self) -> str:
        """The human-readable SSCC: ``(00) 0 0614141 123456789 0`` (extension digit, company
        prefix, serial reference, check digit)."""
        return sscc_hri(self.sscc, self.gs1_prefix_length)


def sscc_hri(sscc: str, prefix_length: int = 7) -> str:
    """``(00)`` and the SSCC's digits spaced as extension, company prefix, serial, check."""
    prefix_end = 1 + prefix_length
    return f"(00) {sscc[0]} {sscc[1:prefix_end]} {sscc[prefix_end:-1]} {sscc[-1]}"
