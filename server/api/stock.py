"""Stock: adjustments from the OMS and the stock list."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from server.api import pagination
from server.api.catalog import api_actor
from server.api.routing import operation
from server.api.schemas import AdjustmentBatch, AdjustmentResult, StockPage, StockQuery
from server.inventory.handlers import AdjustStock
from server.inventory.stock import stock_view
from server.models import Location, Product, Stock
from server.runtime import runtime

bp = Blueprint("stock", __name__, url_prefix="/api/v1")


@operation(
    bp,
    "/stock/adjustments",
    "POST",
    access="oms",
    tag="stock",
    body=AdjustmentBatch,
    summary="Adjust stock (all or nothing; stock never goes negative or below what is reserved)",
    responses={200: ("The stock rows after the adjustments", AdjustmentResult)},
)
def post_adjustments(body: AdjustmentBatch) -> Any:
    items = [a.model_dump() for a in body.adjustments]
    return runtime().spine.execute(AdjustStock(items), api_actor()).result


@operation(
    bp,
    "/stock",
    "GET",
    access="oms",
    tag="stock",
    query=StockQuery,
    summary="Stock per SKU, location and lot",
    responses={200: ("A page of stock rows", StockPage)},
)
def get_stock(query: StockQuery) -> Any:
    after = pagination.decode(query.cursor, 1)
    rows = Stock.select(Stock, Product, Location).join(Product).switch(Stock).join(Location)
    if query.sku:
        rows = rows.where(Product.sku == query.sku)
    if query.location:
        rows = rows.where(Location.code == query.location)
    if after:
        rows = rows.where(Stock.id > after[0])
    fetched = list(rows.order_by(Stock.id).limit(query.limit + 1))
    fetched, next_cursor, has_more = pagination.page(fetched, query.limit, lambda r: [r.id])
    return {
        "data": [stock_view(r) for r in fetched],
        "next_cursor": next_cursor,
        "has_more": has_more,
    }
