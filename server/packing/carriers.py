"""Carrier rules: which carrier and service a package ships with (docs/packing.md).

- When the OMS set both the order's carrier and service, they win: no rule is asked, and
  the choice says "set by the OMS". When it set only the carrier, the rules choose among
  that carrier's (a service without a carrier means nothing on its own and is ignored).
- Otherwise the rules, in their order: the first that matches wins, and the choice names it
  (its id and its position, 1 for the first). None matching is a clear error for the screen
  that says what the package is, so that a supervisor can add a rule.
- A rule matches when each of its conditions holds; a condition not set holds for every
  package, so a rule with no conditions matches everything (a catch-all, last).
  Conditions: weight (at most `max_weight_g`), longest side (at most `max_length_mm`),
  girth (length + 2 × (width + height), the longest side as length; at most
  `max_girth_mm`), destination country (ISO 3166 alpha-2, in `countries`), the order's
  service level (in `service_levels`) and channel (in `channels`). Lists compare without
  regard to case; an order without a service level or channel matches no list of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Dims = tuple[int, int, int]


@dataclass(frozen=True)
class CarrierRule:
    carrier: str
    service: str
    id: str | None = None
    max_weight_g: int | None = None
    max_length_mm: int | None = None  # the longest side
    max_girth_mm: int | None = None
    countries: tuple[str, ...] = ()  # empty: any
    service_levels: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Shipment:
    """What the rules look at: the package (weighed, in its box) and its order."""

    weight_g: int
    dims_mm: Dims
    country: str
    service_level: str | None = None
    channel: str | None = None
    oms_carrier: str | None = None  # the order's, when the OMS set them
    oms_service: str | None = None


@dataclass(frozen=True)
class CarrierChoice:
    carrier: str
    service: str
    source: Literal["oms", "rule"]
    rule_id: str | None = None
    position: int | None = None  # of the rule, 1 for the first
    carrier_by_oms: bool = False  # the OMS set the carrier only: the rule chose the service

    @property
    def reason(self) -> str:
        """What to record and show: 'set by the OMS', 'rule 2 ("eu-small")'."""
        if self.source == "oms":
            return "set by the OMS"
        named = f' ("{self.rule_id}")' if self.rule_id else ""
        oms = ", carrier set by the OMS" if self.carrier_by_oms else ""
        return f"rule {self.position}{named}{oms}"


@dataclass(frozen=True)
class NoCarrier:
    message: str  # for the screen


def girth_mm(dims: Dims) -> int:
    """Length + 2 × (width + height), the length being the longest side."""
    width, height, length = sorted(dims)
    return length + 2 * (width + height)


def choose_carrier(rules: Sequence[CarrierRule], shipment: Shipment) -> CarrierChoice | NoCarrier:
    """The OMS's carrier and service, else the first rule that matches, else why none."""
    if shipment.oms_carrier and shipment.oms_service:
        return CarrierChoice(shipment.oms_carrier, shipment.oms_service, "oms")
    for position, rule in enumerate(rules, start=1):
        if _for_carrier(rule, shipment.oms_carrier) and matches(rule, shipment):
            by_oms = bool(shipment.oms_carrier)
            return CarrierChoice(rule.carrier, rule.service, "rule", rule.id, position, by_oms)
    return NoCarrier(_none_matched(rules, shipment))


def matches(rule: CarrierRule, shipment: Shipment) -> bool:
    """Whether every condition of `rule` holds for `shipment`."""
    return (
        _at_most(shipment.weight_g, rule.max_weight_g)
        and _at_most(max(shipment.dims_mm), rule.max_length_mm)
        and _at_most(girth_mm(shipment.dims_mm), rule.max_girth_mm)
        and _among(shipment.country, rule.countries)
        and _among(shipment.service_level, rule.service_levels)
        and _among(shipment.channel, rule.channels)
    )


def _for_carrier(rule: CarrierRule, carrier: str | None) -> bool:
    return not carrier or rule.carrier.casefold() == carrier.casefold()


def _at_most(value: int, limit: int | None) -> bool:
    return limit is None or value <= limit


def _among(value: str | None, allowed: tuple[str, ...]) -> bool:
    if not allowed:
        return True
    return value is not None and value.casefold() in {a.casefold() for a in allowed}


def _none_matched(rules: Sequence[CarrierRule], shipment: Shipment) -> str:
    if not rules:
        return "no carrier rules are set: a supervisor must add them"
    length = max(shipment.dims_mm)
    package = (
        f"{shipment.weight_g:,} g, longest side {length:,} mm, girth "
        f"{girth_mm(shipment.dims_mm):,} mm, to {shipment.country}, service level "
        f"{shipment.service_level or 'none'}, channel {shipment.channel or 'none'}"
    )
    carrier = f" of carrier {shipment.oms_carrier} (set by the OMS)" if shipment.oms_carrier else ""
    return f"no carrier rule{carrier} matches this package ({package})"
