"""Dispatch's operations, served by the API under /api/v1 and by `floorlink dispatch ...`
(docs/dispatch.md): manifests created and listed by the OMS (or a supervisor), read with
what is loaded and what waits, as PDF and CSV; closed, cancelled and split shipments
approved by a supervisor (scope admin); the end-of-day list."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any, Literal

from pydantic import BaseModel, Field

from server.dispatch import documents, store, views
from server.dispatch.closing import CloseManifest
from server.dispatch.manifests import ApproveSplit, CancelManifest, CreateManifest
from server.errors import InvalidInput, NotFound, field_error
from server.models import Location, naive_utc
from server.models.dispatch import Manifest
from server.operations import (
    Call,
    Cli,
    CliGroup,
    Code,
    Document,
    Operation,
    Strict,
    Text,
    Timestamp,
)

TAG = "dispatch"
DISPATCH = CliGroup("dispatch", "Manifests: carriers' pickups at the docks.")
SEAL_PATTERN = r"^[\x21-\x7e]{1,64}$"


class ManifestIn(Strict):
    carrier: Text = Field(description="The carrier, as packing names it on the packages")
    service: Text = Field(default="any", description='One service of the carrier, or "any"')
    dock: Code = Field(description="The dock location's code (kind dock)")
    trailer: Code | None = Field(default=None, description="Trailer or vehicle id")
    planned_pickup_at: Timestamp | None = None
    reference: Code | None = Field(default=None, description="The OMS's own id for it")


class ManifestQuery(BaseModel):
    status: Literal["open", "closed", "cancelled"] | None = None
    carrier: str | None = Field(default=None, max_length=64)
    dock: str | None = Field(default=None, max_length=64)
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Field(default=None, max_length=64, description="next_cursor of a page")


class CloseIn(Strict):
    seal: str | None = Field(default=None, pattern=SEAL_PATTERN, description="The seal number")


class SplitIn(Strict):
    order: Code = Field(description="The order's external id")
    reason: Text


class CancelIn(Strict):
    reason: Text


class ManifestOut(BaseModel):
    id: str
    reference: str | None
    carrier: str
    service: str
    dock: str
    trailer: str | None
    planned_pickup_at: str | None
    status: str
    seal: str | None
    created_by: str
    created_at: str
    closed_by: str | None
    closed_at: str | None
    totals: dict[str, int]
    packages: list[dict[str, Any]]
    orders: list[dict[str, Any]] | None = None
    waiting: list[dict[str, Any]] | None = None
    splits: list[dict[str, Any]]


class ManifestPage(BaseModel):
    data: list[dict[str, Any]]
    next_cursor: str | None
    has_more: bool


class DayOut(BaseModel):
    date: str
    timezone: str
    data: list[dict[str, Any]]
    totals: dict[str, int]


def _create(call: Call) -> CreateManifest:
    b = call.body
    return CreateManifest(b.carrier, b.dock, b.service, b.trailer, naive_utc(b.planned_pickup_at),
                          b.reference)  # fmt: skip


def _list(call: Call) -> dict[str, Any]:
    q = call.query
    rows = (
        Manifest.select(Manifest, Location)
        .join(Location, on=(Manifest.dock == Location.id))
        .order_by(Manifest.id.desc())
    )
    if q.status:
        rows = rows.where(Manifest.status == q.status)
    if q.carrier:
        rows = rows.where(Manifest.carrier == q.carrier)
    if q.dock:
        rows = rows.where(Location.code == q.dock)
    if q.cursor:
        after = Manifest.get_or_none(Manifest.manifest_id == q.cursor)
        if after is None:
            raise InvalidInput("the cursor is not one this server gave out",
                               [field_error("cursor", "unknown cursor")])  # fmt: skip
        rows = rows.where(Manifest.id < after.id)
    found = list(rows.limit(q.limit + 1))
    page = found[: q.limit]
    data = [views.summary(m) | {"totals": _totals(m)} for m in page]
    more = len(found) > q.limit
    return {"data": data, "next_cursor": page[-1].manifest_id if more else None, "has_more": more}


def _totals(m: Manifest) -> dict[str, int]:
    return views.totals([views.loaded_view(mp) for mp in store.loads(m)])


def _detail(call: Call) -> dict[str, Any]:
    return views.detail(store.manifest(call.manifest_id))


def _ship_from(call: Call) -> str:
    a = call.settings.section("packing").ship_from
    return ", ".join(
        p for p in (a.name, *a.lines, f"{a.postcode} {a.city}".strip(), a.country) if p
    )


def _pdf(call: Call) -> Document:
    view = _detail(call)
    return Document(documents.manifest_pdf(view, _ship_from(call)), "application/pdf",
                    f"manifest-{view['id']}.pdf")  # fmt: skip


def _csv(call: Call) -> Document:
    view = _detail(call)
    return Document(documents.manifest_csv(view), "text/csv", f"manifest-{view['id']}.csv")


def _day_rows(call: Call) -> tuple[str, str, list[dict[str, Any]]]:
    zone_name = call.settings.section("dispatch").timezone
    try:
        day = dt.date.fromisoformat(call.day)
    except ValueError:
        raise NotFound(f"{call.day} is not a day: give a date as YYYY-MM-DD") from None
    zone = zoneinfo.ZoneInfo(zone_name)
    start = dt.datetime.combine(day, dt.time(), zone).astimezone(dt.UTC).replace(tzinfo=None)
    end = start + dt.timedelta(days=1)
    rows = (
        Manifest.select(Manifest, Location)
        .join(Location, on=(Manifest.dock == Location.id))
        .where(Manifest.status == "closed", Manifest.closed_at >= start, Manifest.closed_at < end)
        .order_by(Manifest.closed_at, Manifest.id)
    )
    return day.isoformat(), zone_name, [views.summary(m) | {"totals": _totals(m)} for m in rows]


def _day(call: Call) -> dict[str, Any]:
    day, zone, rows = _day_rows(call)
    totals = {
        "manifests": len(rows),
        "packages": sum(r["totals"]["packages"] for r in rows),
        "orders": sum(r["totals"]["orders"] for r in rows),
        "weight_g": sum(r["totals"]["weight_g"] for r in rows),
    }
    return {"date": day, "timezone": zone, "data": rows, "totals": totals}


def _day_doc(call: Call, kind: str) -> Document:
    day, _, rows = _day_rows(call)
    if kind == "pdf":
        return Document(documents.day_pdf(day, rows), "application/pdf", f"manifests-{day}.pdf")
    return Document(documents.day_csv(rows), "text/csv", f"manifests-{day}.csv")


def _manifest_line(call: Call, result: Any) -> str:
    t = result["totals"]
    return (f"{result['id']}\t{result['status']}\t{result['carrier']} {result['service']}\t"
            f"{result['dock']}\t{t['packages']} packages\t{t['orders']} orders")  # fmt: skip


OPERATIONS = (
    Operation(
        "POST", "/manifests", "Plan a carrier's pickup at a dock (a manifest)", TAG, "oms",
        command=_create, body=ManifestIn, response=("The manifest", ManifestOut), status=201,
        cli=Cli(DISPATCH, "create", "Open a manifest for a carrier at a dock.",
                args=("carrier", "dock"), render=_manifest_line),
    ),
    Operation(
        "GET", "/manifests", "Manifests, newest first", TAG, "oms",
        read=_list, query=ManifestQuery, response=("A page of manifests", ManifestPage),
        cli=Cli(DISPATCH, "list", "List manifests (newest first)."),
    ),
    Operation(
        "GET", "/manifests/day/<day>", "The manifests closed on a day (end-of-day list)", TAG,
        "oms", read=_day, response=("The day's manifests", DayOut),
        cli=Cli(DISPATCH, "day", "The manifests closed on a day (YYYY-MM-DD)."),
    ),
    *(
        Operation(
            "GET", f"/manifests/day/<day>.{kind}", f"The end-of-day list as {kind.upper()}",
            TAG, "oms", read=lambda c, kind=kind: _day_doc(c, kind),  # type: ignore[misc]
            response=(f"The list ({media})", None),
        )
        for kind, media in (("pdf", "application/pdf"), ("csv", "text/csv"))
    ),
    Operation(
        "GET", "/manifests/<manifest_id>.pdf",
        "The manifest for the driver: every SSCC as a barcode, totals, signatures", TAG, "oms",
        read=_pdf, response=("The manifest (application/pdf)", None),
    ),
    Operation(
        "GET", "/manifests/<manifest_id>.csv", "The manifest's packages as CSV", TAG, "oms",
        read=_csv, response=("The manifest (text/csv)", None),
    ),
    Operation(
        "GET", "/manifests/<manifest_id>",
        "A manifest: what is loaded, by order, and what still waits for its carrier", TAG, "oms",
        read=_detail, response=("The manifest", ManifestOut),
        cli=Cli(DISPATCH, "show", "Show a manifest."),
    ),
    Operation(
        "POST", "/manifests/<manifest_id>/close",
        "Close the manifest (seal): its orders are dispatched and the OMS told", TAG, "admin",
        command=lambda c: CloseManifest(c.manifest_id, c.body.seal), body=CloseIn,
        response=("The closed manifest", ManifestOut),
        cli=Cli(DISPATCH, "close", "Close a manifest with its seal.", render=_manifest_line),
    ),
    Operation(
        "POST", "/manifests/<manifest_id>/splits",
        "Approve that an order leaves on this manifest without all its packages", TAG,
        "admin", command=lambda c: ApproveSplit(c.manifest_id, c.body.order, c.body.reason),
        body=SplitIn, response=("The manifest", ManifestOut),
        cli=Cli(DISPATCH, "approve-split", "Let an order leave without all its packages.",
                args=("order",), render=_manifest_line),
    ),
    Operation(
        "POST", "/manifests/<manifest_id>/cancel", "Call off a manifest with nothing loaded",
        TAG, "admin", command=lambda c: CancelManifest(c.manifest_id, c.body.reason),
        body=CancelIn, response=("The manifest", ManifestOut),
        cli=Cli(DISPATCH, "cancel", "Call off an empty manifest.", render=_manifest_line),
    ),
)  # fmt: skip
