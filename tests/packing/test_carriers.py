"""Carrier rules, table-tested: first match wins, each condition, the OMS's choice."""

from __future__ import annotations

import pytest

from server.packing.carriers import (
    CarrierChoice,
    CarrierRule,
    NoCarrier,
    Shipment,
    choose_carrier,
    girth_mm,
    matches,
)

RULES = (
    CarrierRule(
        "POST", "letter", "letter", max_weight_g=1000, max_length_mm=350, countries=("DE",)
    ),
    CarrierRule("DHL", "express", "express", service_levels=("express", "next_day")),
    CarrierRule(
        "DHL", "paket", "de-parcel", max_weight_g=31_500, max_girth_mm=3000, countries=("de", "AT")
    ),
    CarrierRule("UPS", "standard", "eu", max_weight_g=30_000, countries=("FR", "NL", "BE")),
    CarrierRule("UPS", "saver", "marketplace", channels=("amazon",)),
    CarrierRule("FREIGHT", "pallet", None),  # no conditions, no id: the catch-all
)

SMALL = (300, 200, 50)


def ship(g: int = 500, dims: tuple[int, int, int] = SMALL, to: str = "DE", **kw: str) -> Shipment:
    return Shipment(g, dims, to, **kw)


@pytest.mark.parametrize(
    ("shipment", "carrier", "service", "position"),
    [
        (ship(), "POST", "letter", 1),  # first match wins, over the DHL parcel rule
        (ship(1000), "POST", "letter", 1),  # at most: the limit itself matches
        (ship(1001), "DHL", "paket", 3),  # weight
        (ship(dims=(351, 100, 20)), "DHL", "paket", 3),  # longest side, in any order
        (ship(dims=(20, 351, 100)), "DHL", "paket", 3),
        (ship(to="at"), "DHL", "paket", 3),  # country, without regard to case
        (ship(to="FR", service_level="express"), "DHL", "express", 2),  # service level
        (ship(service_level="NEXT_DAY", to="US"), "DHL", "express", 2),
        (ship(to="FR"), "UPS", "standard", 4),
        (ship(to="US", channel="amazon"), "UPS", "saver", 5),  # channel
        (ship(to="US", channel="web"), "FREIGHT", "pallet", 6),  # the catch-all
        (ship(to="US"), "FREIGHT", "pallet", 6),  # no channel: matches no list of them
        (ship(31_500, (1000, 500, 500), "AT"), "DHL", "paket", 3),  # girth 3,000 mm: at most
        (ship(31_500, (1000, 500, 501), "AT"), "FREIGHT", "pallet", 6),  # girth 3,002 mm
        (ship(31_501, (400, 300, 200), "AT"), "FREIGHT", "pallet", 6),
    ],
)
def test_first_match_wins(shipment: Shipment, carrier: str, service: str, position: int) -> None:
    choice = choose_carrier(RULES, shipment)
    assert isinstance(choice, CarrierChoice)
    assert (choice.carrier, choice.service, choice.source) == (carrier, service, "rule")
    assert choice.position == position and choice.rule_id == RULES[position - 1].id


@pytest.mark.parametrize(
    ("dims", "girth"),
    [
        ((1000, 500, 500), 3000),
        ((500, 1000, 500), 3000),
        ((100, 100, 100), 500),
        ((600, 400, 50), 1500),
    ],
)
def test_girth(dims: tuple[int, int, int], girth: int) -> None:
    assert girth_mm(dims) == girth


def test_a_rule_without_conditions_matches_everything() -> None:
    anything = CarrierRule("ANY", "any")
    assert matches(
        anything, ship(10**9, (10**5, 10**5, 10**5), "ZZ", service_level="x", channel="y")
    )


@pytest.mark.parametrize(
    ("shipment", "want"),
    [
        # the OMS set both: they win, no rule is asked
        (ship(oms_carrier="GLS", oms_service="business"), CarrierChoice("GLS", "business", "oms")),
        (
            ship(99_999, to="US", oms_carrier="GLS", oms_service="x"),
            CarrierChoice("GLS", "x", "oms"),
        ),
        # the carrier only: the first of that carrier's rules that matches chooses the service
        (
            ship(2000, oms_carrier="dhl"),
            CarrierChoice("DHL", "paket", "rule", "de-parcel", 3, True),
        ),
        # a service without a carrier is ignored
        (ship(oms_service="business"), CarrierChoice("POST", "letter", "rule", "letter", 1)),
    ],
)
def test_the_oms_wins(shipment: Shipment, want: CarrierChoice) -> None:
    assert choose_carrier(RULES, shipment) == want


@pytest.mark.parametrize(
    ("choice", "reason"),
    [
        (CarrierChoice("GLS", "business", "oms"), "set by the OMS"),
        (CarrierChoice("DHL", "paket", "rule", "de-parcel", 3), 'rule 3 ("de-parcel")'),
        (CarrierChoice("FREIGHT", "pallet", "rule", None, 6), "rule 6"),
        (
            CarrierChoice("DHL", "paket", "rule", "de-parcel", 3, True),
            'rule 3 ("de-parcel"), carrier set by the OMS',
        ),
    ],
)
def test_reason(choice: CarrierChoice, reason: str) -> None:
    assert choice.reason == reason


@pytest.mark.parametrize(
    ("rules", "shipment", "message"),
    [
        (
            RULES[:4],
            ship(40_000, (1200, 600, 400), "US", service_level="standard", channel="web"),
            "no carrier rule matches this package (40,000 g, longest side 1,200 mm, "
            "girth 3,200 mm, to US, service level standard, channel web)",
        ),
        (
            RULES,
            ship(500, to="US", oms_carrier="POST"),
            "no carrier rule of carrier POST (set by the OMS) matches this package (500 g, "
            "longest side 300 mm, girth 800 mm, to US, service level none, channel none)",
        ),
        ((), ship(), "no carrier rules are set: a supervisor must add them"),
    ],
)
def test_none_matched(rules: tuple[CarrierRule, ...], shipment: Shipment, message: str) -> None:
    assert choose_carrier(rules, shipment) == NoCarrier(message)
