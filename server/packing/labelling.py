"""Labelling a package: its SSCC (allocated under a row lock, never twice, across restarts
and server processes), its carrier (the OMS's, or the first carrier rule that matches) and
the logistic label it carries (server/packing/labels/)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from server import rawsql
from server.db import for_update
from server.errors import Conflict
from server.models import Order, Package, SsccSerial
from server.packing import carriers, sscc
from server.packing.catalogue import carrier_rules
from server.packing.labels.model import LogisticLabel, Party
from server.packing.settings import Address, PackingSettings


def allocate_sscc(settings: PackingSettings) -> str:
    """The next SSCC of the site's prefix (in the caller's transaction)."""
    prefix = settings.gs1_company_prefix
    if not prefix:
        raise Conflict(
            "no GS1 company prefix is configured ([packing] gs1_company_prefix): "
            "packages cannot be labelled"
        )
    key = f"{settings.sscc_extension}{prefix}"
    row = for_update(SsccSerial.select().where(SsccSerial.prefix == key)).first()
    if row is None:
        # the first SSCC of this prefix: a concurrent first (PostgreSQL) conflicts on the
        # primary key and its command is retried by the caller's transaction, never reused
        SsccSerial.create(prefix=key, next_serial=2)
        serial = 1
    else:
        serial = row.next_serial
        if serial > sscc.max_serial(prefix):
            raise Conflict(f"the SSCC serials of prefix {prefix} are used up")
        rawsql.update_one(SsccSerial, key, {"next_serial": serial + 1})
    return sscc.compose(settings.sscc_extension, prefix, serial)


def shipment(package: Package, order: Order) -> carriers.Shipment:
    ship_to = order.ship_to or {}
    return carriers.Shipment(
        weight_g=package.measured_weight_g or package.expected_weight_g or 0,
        dims_mm=tuple(package.dims_mm),
        country=str(ship_to.get("country") or ""),
        service_level=order.service or None,
        channel=order.channel,
        oms_carrier=order.carrier or None,
        oms_service=order.service or None,
    )


def choose_carrier(
    package: Package, order: Order, settings: PackingSettings
) -> carriers.CarrierChoice | carriers.NoCarrier:
    return carriers.choose_carrier(carrier_rules(settings), shipment(package, order))


def label_of(
    package: Package, order: Order, count: int, settings: PackingSettings
) -> LogisticLabel:
    assert package.sscc is not None and package.carrier is not None
    return LogisticLabel(
        sscc=package.sscc,
        ship_from=party(settings.ship_from),
        ship_to=party_of(order.ship_to or {}),
        carrier=package.carrier,
        service=package.service or "",
        order_external_id=order.external_id,
        package_number=package.seq,
        package_count=count,
        weight_g=package.measured_weight_g or package.expected_weight_g or 0,
        ship_date=(package.created_at or dt.datetime.now(dt.UTC)).date(),
        tracking=package.tracking,
        gs1_prefix_length=len(settings.gs1_company_prefix) or 7,
    )


def party(address: Address) -> Party:
    return Party(
        address.name, tuple(address.lines), address.postcode, address.city, address.country
    )


def party_of(ship_to: dict[str, Any]) -> Party:
    """The order's ship-to (docs/api.md): name, company, line1, line2, postal code, city,
    region, country."""
    lines = [ship_to.get(k) or "" for k in ("company", "line1", "line2")]
    city = " ".join(x for x in (ship_to.get("city") or "", ship_to.get("region") or "") if x)
    return Party(
        name=str(ship_to.get("name") or ""),
        lines=tuple(str(x) for x in lines if x),
        postcode=str(ship_to.get("postal_code") or ""),
        city=city,
        country=str(ship_to.get("country") or ""),
    )
