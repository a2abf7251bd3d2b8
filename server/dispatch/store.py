"""Reading what the dispatch rules need, inside the command's transaction: a manifest (locked
against a concurrent close), the facts of a scanned package, what waits for a carrier and
the orders on a manifest. Few statements each: a load scan runs them all."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import peewee

from server.db import is_postgres
from server.dispatch.rules import ManifestFacts, OrderOnManifest, serves
from server.errors import NotFound
from server.models import Location, Order, OrderHold, Package
from server.models.dispatch import ANY_SERVICE, Manifest, ManifestPackage, SplitApproval


def tuples(query: Any) -> list[tuple[Any, ...]]:
    """A query's rows as plain tuples (what the typed stubs cannot tell of `.tuples()`)."""
    return list(query.tuples())


def manifest(manifest_id: str, lock: str | None = None) -> Manifest:
    """The manifest, with its dock; `lock` "share" (a load: many at once, none during a
    close) or "update" (a close, a cancel) on PostgreSQL."""
    query = (
        Manifest.select(Manifest, Location)
        .join(Location, on=(Manifest.dock == Location.id))
        .where(Manifest.manifest_id == manifest_id)
    )
    if lock is not None and is_postgres():
        mode: Any = "FOR SHARE" if lock == "share" else True
        query = query.for_update(mode, of=Manifest)
    row = query.first()
    if row is None:
        raise NotFound(f"no manifest {manifest_id}")
    return row


def facts_of(m: Manifest) -> ManifestFacts:
    return ManifestFacts(m.manifest_id, m.carrier, m.service, m.status, m.dock.code)


def _waiting_query(m: Manifest) -> Any:
    """Packed packages of the manifest's carrier (and service) loaded nowhere, not flagged."""
    query = (
        Package.select(Package, Order)
        .join(Order, on=(Package.order == Order.id))
        .switch(Package)
        .join(ManifestPackage, peewee.JOIN.LEFT_OUTER, on=(ManifestPackage.package == Package.id))
        .where(
            ManifestPackage.id.is_null(),
            Package.status == "packed",
            Package.flagged.is_null(),
            Package.carrier == m.carrier,
            Order.status.not_in(["cancelled"]),
        )
    )
    if m.service != ANY_SERVICE:
        query = query.where(Package.service == m.service)
    return query


def waiting(m: Manifest) -> list[Package]:
    return list(_waiting_query(m).order_by(Package.order, Package.seq))


def loads(m: Manifest) -> list[ManifestPackage]:
    """What is loaded, with each package and its order, in loading order."""
    return list(
        ManifestPackage.select(ManifestPackage, Package, Order)
        .join(Package, on=(ManifestPackage.package == Package.id))
        .switch(ManifestPackage)
        .join(Order, on=(ManifestPackage.order == Order.id))
        .where(ManifestPackage.manifest == m.id)
        .order_by(ManifestPackage.loaded_at, ManifestPackage.id)
    )


def orders_on(m: Manifest, loaded: list[ManifestPackage] | None = None) -> list[OrderOnManifest]:
    """Every order with a package on the manifest: its packages here and elsewhere."""
    loaded = loads(m) if loaded is None else loaded
    if not loaded:
        return []
    order_ids = sorted({mp.order_id for mp in loaded})
    orders = {mp.order_id: mp.order for mp in loaded}
    here: dict[int, list[str]] = defaultdict(list)
    flagged: dict[int, list[str]] = defaultdict(list)
    for mp in loaded:
        here[mp.order_id].append(mp.package.sscc or "")
        if mp.package.flagged:
            flagged[mp.order_id].append(mp.package.sscc or "")
    elsewhere: dict[int, list[str]] = defaultdict(list)
    for order_id, sscc in _not_loaded_here(m, order_ids):
        elsewhere[order_id].append(sscc or "(not labelled)")
    held = {
        h.order_id for h in OrderHold.select(OrderHold.order).where(OrderHold.order.in_(order_ids))
    }
    approved = {
        s.order_id
        for s in SplitApproval.select(SplitApproval.order).where(SplitApproval.manifest == m.id)
    }
    return [
        OrderOnManifest(
            order=orders[oid].external_id,
            order_status=orders[oid].status,
            held=oid in held,
            loaded=here[oid],
            elsewhere=elsewhere[oid],
            flagged=flagged[oid],
            split_approved=oid in approved,
        )
        for oid in order_ids
    ]


def _not_loaded_here(m: Manifest, order_ids: list[int]) -> list[tuple[int, str | None]]:
    """The orders' live packages not yet dispatched nor on this manifest that this manifest
    would take: a package packing gave another carrier leaves with that carrier's pickup,
    and is no part of this one's "whole order"."""
    rows: list[tuple[int, str | None]] = []
    facts = facts_of(m)
    for start in range(0, len(order_ids), 500):
        chunk = order_ids[start : start + 500]
        query = (
            Package.select(
                Package.order,
                Package.sscc,
                Package.carrier,
                Package.service,
                ManifestPackage.manifest,
            )  # fmt: skip
            .join(
                ManifestPackage, peewee.JOIN.LEFT_OUTER, on=(ManifestPackage.package == Package.id)
            )
            .where(
                Package.order.in_(chunk),
                Package.status.not_in(["voided", "dispatched"]),
            )
        )
        rows.extend(
            (oid, sscc)
            for oid, sscc, carrier, service, on in tuples(query)
            if on != m.id and serves(facts, carrier, service)
        )
    return rows


def open_at(dock: Location) -> list[Manifest]:
    return list(
        Manifest.select(Manifest, Location)
        .join(Location, on=(Manifest.dock == Location.id))
        .where(Manifest.dock == dock.id, Manifest.status == "open")
        .order_by(Manifest.created_at)
    )


def carriers_waiting() -> list[tuple[str, str, int]]:
    """(carrier, service, packages) of packed packages loaded nowhere, most first."""
    query = (
        Package.select(Package.carrier, Package.service, peewee.fn.COUNT(Package.id))
        .join(ManifestPackage, peewee.JOIN.LEFT_OUTER, on=(ManifestPackage.package == Package.id))
        .where(
            ManifestPackage.id.is_null(),
            Package.status == "packed",
            Package.flagged.is_null(),
            Package.carrier.is_null(False),
        )
        .group_by(Package.carrier, Package.service)
    )
    found = sorted(tuples(query), key=lambda r: (-r[2], r[0], r[1] or ""))
    return [(carrier, service or "", count) for carrier, service, count in found]
