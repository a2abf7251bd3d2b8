"""Packing's operations, served by the API under /api/v1 (docs/packing.md): the box
catalogue and the carrier rules (OMS or admin), and a package with its label as PDF, PNG
or ZPL."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from server.errors import NotFound
from server.models import Box, CarrierRule, Order, Package, PackageItem
from server.operations import Call, Cli, CliGroup, Document, Operation, Strict
from server.packing import labelling
from server.packing.catalogue import ReplaceCarrierRules, UpsertBoxes, box_view, rule_view
from server.packing.jobs import package_view
from server.packing.labels.pdf import render_pdf
from server.packing.labels.png import render_png
from server.packing.labels.zpl import render_zpl
from server.packing.release import ReleasePackJob
from server.packing.sscc import why_invalid
from server.packing.tracking import SetTracking

CODE = r"^[\x21-\x7e]{1,64}$"
TAG = "packing"
PACKING = CliGroup(
    "packing", "Packing: boxes, a packer's job handed back, packages and tracking references."
)


class BoxIn(Strict):
    code: str = Field(pattern=CODE, description="The box's code")
    barcode: str | None = Field(default=None, pattern=CODE, description="Its barcode, if any")
    inner_dims_mm: list[int] = Field(
        min_length=3, max_length=3, description="Inner length, width, height (mm)"
    )
    tare_g: int = Field(ge=0, le=100_000, description="The empty box's weight (g)")
    max_load_g: int = Field(gt=0, le=1_000_000, description="What it may carry (g)")
    active: bool = Field(
        default=True, description="false retires the box: never suggested, refused at a scan"
    )

    def model_post_init(self, _context: Any) -> None:
        if min(self.inner_dims_mm) <= 0 or max(self.inner_dims_mm) > 10_000:
            raise ValueError("inner_dims_mm are 1 to 10,000 mm")


class BoxBatch(Strict):
    boxes: list[BoxIn] = Field(min_length=1, max_length=500)


class BoxResult(BaseModel):
    created: int
    updated: int


class BoxList(BaseModel):
    data: list[dict[str, Any]]


class RuleIn(Strict):
    id: str = Field(pattern=CODE, description="The rule's name, recorded with each package")
    carrier: str = Field(min_length=1, max_length=64)
    service: str = Field(min_length=1, max_length=64)
    max_weight_g: int | None = Field(default=None, gt=0)
    max_length_mm: int | None = Field(default=None, gt=0, description="Longest side")
    max_girth_mm: int | None = Field(default=None, gt=0, description="Length + 2 (w + h)")
    countries: list[str] = Field(default=[], max_length=300, description="ISO alpha-2")
    service_levels: list[str] = Field(default=[], max_length=50)
    channels: list[str] = Field(default=[], max_length=50)


class RuleBatch(Strict):
    rules: list[RuleIn] = Field(max_length=500, description="In order: the first match wins")


class RuleList(BaseModel):
    rules: list[dict[str, Any]]


class TrackingIn(Strict):
    tracking: str = Field(pattern=CODE, description="The carrier's tracking reference")


class TrackingOut(BaseModel):
    sscc: str
    tracking: str


class ReleaseIn(Strict):
    reason: str = Field(min_length=1, max_length=500, description="Why, for the audit")


class ReleaseOut(BaseModel):
    external_id: str
    released_from: str
    station: str | None


class PackageOut(BaseModel):
    sscc: str | None
    order: str
    package: int
    box: str
    weight_g: int | None
    expected_weight_g: int | None
    weight_source: str | None
    dims_mm: list[int]
    carrier: str | None
    service: str | None
    tracking: str | None
    status: str
    flagged: str | None
    lines: list[dict[str, Any]]


def _boxes(call: Call) -> dict[str, Any]:
    return {"data": [box_view(b) for b in Box.select().order_by(Box.code)]}


def _rules(call: Call) -> dict[str, Any]:
    return {"rules": [rule_view(r) for r in CarrierRule.select().order_by(CarrierRule.position)]}


def _package(sscc: str) -> Package:
    if why_invalid(sscc):
        raise NotFound(f"no package {sscc}: an SSCC is 18 digits with its check digit")
    package = Package.get_or_none(Package.sscc == sscc)
    if package is None:
        raise NotFound(f"no package {sscc}")
    return package


def package_json(package: Package) -> dict[str, Any]:
    items = list(PackageItem.select().where(PackageItem.package == package))
    order = Order.get_by_id(package.order_id)
    return {"order": order.external_id} | package_view(package, items)


def packages_of(order: Order) -> list[dict[str, Any]]:
    """The order's packages (voided ones left out), for GET /api/v1/orders/{id}."""
    rows = Package.select().where(Package.order == order, Package.status != "voided")
    return [package_view(p, list(p.items)) for p in rows.order_by(Package.seq)]


def _label(call: Call, kind: str) -> Document:
    package = _package(call.sscc)
    if package.status == "voided":
        raise NotFound(f"package {call.sscc} was voided: its label is not valid any more")
    order = Order.get_by_id(package.order_id)
    count = Package.select().where(Package.job == package.job_id, Package.status != "voided")
    label = labelling.label_of(package, order, count.count(), call.settings.section("packing"))
    name = f"{package.sscc}.{kind}"
    if kind == "pdf":
        return Document(render_pdf(label), "application/pdf", name)
    if kind == "png":
        return Document(render_png(label), "image/png", name)
    return Document(render_zpl(label).encode(), "application/zpl", name)


OPERATIONS = (
    Operation(
        "PUT",
        "/boxes",
        "Add or change boxes of the catalogue (by code)",
        TAG,
        "oms",
        command=lambda c: UpsertBoxes([b.model_dump() for b in c.body.boxes]),
        body=BoxBatch,
        response=("How many were created and changed", BoxResult),
    ),
    Operation(
        "GET",
        "/boxes",
        "The box catalogue",
        TAG,
        "oms",
        read=_boxes,
        response=("The boxes", BoxList),
        cli=Cli(PACKING, "boxes", "The box catalogue (as JSON)."),
    ),  # fmt: skip
    Operation(
        "PUT",
        "/carrier-rules",
        "Replace the carrier rules (in order: the first rule that matches a package wins)",
        TAG,
        "admin",
        command=lambda c: ReplaceCarrierRules([r.model_dump() for r in c.body.rules]),
        body=RuleBatch,
        response=("The rules", RuleList),
    ),
    Operation(
        "GET",
        "/carrier-rules",
        "The carrier rules, in order",
        TAG,
        "admin",
        read=_rules,
        response=("The rules", RuleList),
    ),  # fmt: skip
    Operation(
        "GET",
        "/packages/<sscc>",
        "A package by its SSCC: box, weights, carrier, lines with lots and serials",
        TAG,
        "oms",
        read=lambda c: package_json(_package(c.sscc)),
        response=("The package", PackageOut),
        cli=Cli(PACKING, "package", "A package by its SSCC (as JSON)."),
    ),
    Operation(
        "POST",
        "/packing/orders/<external_id>/release",
        "Hand back an order's pack job (its packer left): the next packer to scan the tote "
        "takes it over where it stood",
        TAG,
        "admin",
        command=lambda c: ReleasePackJob(c.external_id, c.body.reason),
        body=ReleaseIn,
        response=("Released", ReleaseOut),
        cli=Cli(PACKING, "release", "Hand back a pack job whose packer left the station."),
    ),
    Operation(
        "PUT",
        "/packages/<sscc>/tracking",
        "Set the carrier's tracking reference of a package (a carrier integration, the OMS)",
        TAG,
        "oms",
        command=lambda c: SetTracking(c.sscc, c.body.tracking),
        body=TrackingIn,
        response=("The package's tracking reference", TrackingOut),
        cli=Cli(PACKING, "tracking", "Set a package's tracking reference.", args=("tracking",)),
    ),
    *(
        Operation(
            "GET",
            f"/packages/<sscc>/label.{kind}",
            f"The package's GS1 logistic label as {kind.upper()}",
            TAG,
            "oms",
            read=lambda c, kind=kind: _label(c, kind),  # type: ignore[misc]
            response=(f"The label ({media})", None),
        )
        for kind, media in (("pdf", "application/pdf"), ("png", "image/png"), ("zpl", "ZPL II"))
    ),
)
