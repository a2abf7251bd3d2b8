"""Packing's settings: `[packing]` (docs/packing.md)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from server.config import Section


class Address(Section):
    name: str = ""
    lines: list[str] = []
    postcode: str = ""
    city: str = ""
    country: str = ""  # ISO 3166 alpha-2


class ProductTolerance(Section):
    percent: float = Field(default=0.0, ge=0, le=100)
    grams: int = Field(default=0, ge=0)


class RuleSettings(Section):
    """A carrier rule from the config, used while no rules were set by the API."""

    id: str = Field(min_length=1, max_length=64)
    carrier: str = Field(min_length=1, max_length=64)
    service: str = Field(min_length=1, max_length=64)
    max_weight_g: int | None = Field(default=None, gt=0)
    max_length_mm: int | None = Field(default=None, gt=0)
    max_girth_mm: int | None = Field(default=None, gt=0)
    countries: list[str] = []
    service_levels: list[str] = []
    channels: list[str] = []


class PackingSettings(Section):
    """The SSCC prefix, weight tolerance, what a station needs, and the label's sender."""

    # GS1 company prefix (7 to 10 digits) and the SSCC's extension digit; packing refuses
    # to label while the prefix is empty (docs/packing.md, "SSCC").
    gs1_company_prefix: str = Field(default="", pattern=r"^(\d{7,10})?$")
    sscc_extension: int = Field(default=0, ge=0, le=9)
    tolerance_percent: float = Field(default=3.0, ge=0, le=100)
    tolerance_g: int = Field(default=20, ge=0)
    tolerance_overrides: dict[str, ProductTolerance] = {}  # by SKU
    empty_below_g: float = Field(default=10.0, gt=0)  # the scale reads empty below this
    manual_weight: bool = False  # the packer may key a weight (recorded as manual)
    bench_packing: bool = False  # pack on a handheld at a bench, without a scale
    pack_zone_kind: str = "pack"  # where packing takes totes from
    ship_from: Address = Address()
    carrier_rules: list[RuleSettings] = []
    # carriers that track a package by its SSCC: the SSCC is its tracking reference from
    # labelling; for the others the OMS or a carrier integration sets it (docs/packing.md)
    tracking_is_sscc: list[str] = []
    label_dpi: Literal[203, 300] = 203  # the printers' resolution (dots per inch)
    print_timeout_s: float = Field(default=5.0, gt=0)
    print_attempts: int = Field(default=5, ge=1, le=100)
