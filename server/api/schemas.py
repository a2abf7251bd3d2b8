"""Request and response schemas of the OMS API; they validate requests and make the OpenAPI.

Their building blocks (Strict, Code, Text, Timestamp) are in server/operations.py, shared
with the bodies of the areas' operations."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from server.models import LOCATION_KINDS, ORDER_STATUSES
from server.operations import CODE_PATTERN, Code, Strict, Text, Timestamp, text

LongText = Annotated[str, text(200)]
ShortText = Annotated[str, text(64)]
PostalCode = Annotated[str, text(16)]
Phone = Annotated[str, text(32)]
Qty = Annotated[int, Field(ge=1, le=100_000)]
LocationKind = Literal[LOCATION_KINDS]  # type: ignore[valid-type]


class ProductIn(Strict):
    sku: Code
    name: Text
    barcodes: list[Code] = Field(default_factory=list, max_length=20)
    weight_g: int = Field(ge=0, le=10_000_000)
    dims_mm: tuple[
        Annotated[int, Field(ge=0, le=100_000)],
        Annotated[int, Field(ge=0, le=100_000)],
        Annotated[int, Field(ge=0, le=100_000)],
    ]
    lot_tracked: bool = False
    expiry_tracked: bool = False
    category: Annotated[str, StringConstraints(max_length=64, pattern=r"^[\x21-\x7e]*$")] = ""


class ProductBatch(Strict):
    products: list[ProductIn] = Field(min_length=1, max_length=1000)


class LocationIn(Strict):
    code: Code
    barcode: Code | None = None
    zone: Annotated[str, StringConstraints(min_length=1, max_length=32, pattern=CODE_PATTERN)]
    kind: LocationKind
    walk_sequence: int = Field(ge=0, le=1_000_000_000)


class LocationBatch(Strict):
    locations: list[LocationIn] = Field(min_length=1, max_length=5000)


class AdjustmentIn(Strict):
    sku: Code
    location: Code
    lot: Code | None = None
    expiry: dt.date | None = None
    delta: int = Field(ge=-1_000_000, le=1_000_000)
    reason: Text


class AdjustmentBatch(Strict):
    adjustments: list[AdjustmentIn] = Field(min_length=1, max_length=1000)


class ShipTo(Strict):
    name: ShortText = ""
    company: ShortText = ""
    line1: LongText = ""
    line2: LongText = ""
    city: ShortText = ""
    postal_code: PostalCode = ""
    region: ShortText = ""
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] | None = None
    phone: Phone = ""
    email: LongText = ""


class OrderLineIn(Strict):
    line_id: Code
    sku: Code
    qty: Qty


class OrderIn(Strict):
    external_id: Code
    channel: Annotated[str, StringConstraints(min_length=1, max_length=32, pattern=CODE_PATTERN)]
    priority: int = Field(default=5, ge=0, le=9, description="9 is the most urgent")
    ship_by: Timestamp | None = None
    carrier: ShortText = ""
    service: ShortText = ""
    ship_to: ShipTo = Field(default_factory=ShipTo)
    lines: list[OrderLineIn] = Field(min_length=1, max_length=500)


class CancelIn(Strict):
    reason: LongText = ""


class ReturnLineIn(Strict):
    sku: Code
    qty: Qty
    reason: Text


class ReturnIn(Strict):
    rma_id: Code
    order_external_id: Code
    lines: list[ReturnLineIn] = Field(min_length=1, max_length=500)


class StockQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sku: Code | None = None
    location: Code | None = None
    cursor: Annotated[str, StringConstraints(max_length=200, pattern=CODE_PATTERN)] | None = None
    limit: int = Field(default=100, ge=1, le=1000)


class OrderQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal[ORDER_STATUSES] | None = None  # type: ignore[valid-type]
    updated_after: Timestamp | None = None
    cursor: Annotated[str, StringConstraints(max_length=200, pattern=CODE_PATTERN)] | None = None
    limit: int = Field(default=100, ge=1, le=1000)


# Responses (documented in the OpenAPI; the handlers build plain dicts of this shape).


class UpsertResult(BaseModel):
    created: int
    updated: int


class StockOut(BaseModel):
    sku: str
    location: str
    location_kind: str  # pick, bulk, returns, quarantine, refurbish, scrap, vendor, ...
    allocatable: bool  # whether it may serve orders (sellable: pick and bulk, not held)
    held: bool  # held after a temperature excursion until a supervisor releases it
    lot: str | None
    expiry: dt.date | None
    on_hand: int
    reserved: int
    available: int


class StockPage(BaseModel):
    data: list[StockOut]
    next_cursor: str | None
    has_more: bool


class AdjustmentOut(StockOut):
    delta: int
    reason: str


class AdjustmentResult(BaseModel):
    data: list[AdjustmentOut]


class OrderLineOut(BaseModel):
    line_id: str
    sku: str
    qty: int
    allocated: int
    missing: int
    picked: int
    packed: int
    shipped: int


class OrderOut(BaseModel):
    external_id: str
    status: str
    channel: str
    priority: int
    ship_by: str | None
    carrier: str
    service: str
    ship_to: dict[str, Any]
    created_at: str
    updated_at: str
    lines: list[OrderLineOut]


class OrderWithPackages(OrderOut):
    packages: list[dict[str, Any]] = Field(
        default=[], description="Its packages once packing began (docs/packing.md)"
    )


class OrderPage(BaseModel):
    data: list[OrderOut]
    next_cursor: str | None
    has_more: bool


class ReturnLineOut(BaseModel):
    sku: str
    qty: int
    reason: str
    received: int


class ReturnOut(BaseModel):
    rma_id: str
    order_external_id: str
    status: str  # registered, receiving, closed
    unannounced: bool  # opened on the floor for a parcel without an RMA
    created_at: str
    closed_at: str | None
    lines: list[ReturnLineOut]
    # GET only: progress {expected, received, unexpected, put_away, waiting}, every unit
    # received (sku, lot, serial, answers, grade, disposition, location, ...), and what is
    # missing [{sku, qty}] (docs/returns.md)
    progress: dict[str, int] | None = None
    units: list[dict[str, Any]] | None = None
    missing: list[dict[str, Any]] | None = None
