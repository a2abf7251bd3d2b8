"""PUT /products and PUT /locations: batch upserts, all or nothing."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g

from server.api.routing import operation
from server.api.schemas import LocationBatch, ProductBatch, UpsertResult
from server.catalog.handlers import UpsertLocations, UpsertProducts
from server.runtime import runtime
from server.spine import Actor

bp = Blueprint("catalog", __name__, url_prefix="/api/v1")


def api_actor() -> Actor:
    return Actor("api_key", g.api_key.name)


@operation(
    bp,
    "/products",
    "PUT",
    access="oms",
    tag="catalogue",
    body=ProductBatch,
    summary="Create or update products (all or nothing)",
    responses={200: ("What was created and updated", UpsertResult)},
)
def put_products(body: ProductBatch) -> Any:
    items = [p.model_dump() for p in body.products]
    return runtime().spine.execute(UpsertProducts(items), api_actor()).result


@operation(
    bp,
    "/locations",
    "PUT",
    access="oms",
    tag="catalogue",
    body=LocationBatch,
    summary="Create or update locations (all or nothing)",
    responses={200: ("What was created and updated", UpsertResult)},
)
def put_locations(body: LocationBatch) -> Any:
    items = [loc.model_dump() for loc in body.locations]
    return runtime().spine.execute(UpsertLocations(items), api_actor()).result
