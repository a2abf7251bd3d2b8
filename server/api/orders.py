"""Orders: idempotent creation (with allocation), reading, listing and cancelling."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from flask import Blueprint, g, request

from server.api import pagination
from server.api.catalog import api_actor
from server.api.routing import operation
from server.api.schemas import (
    CancelIn,
    OrderIn,
    OrderOut,
    OrderPage,
    OrderQuery,
    OrderWithPackages,
)
from server.db import is_postgres
from server.errors import MalformedRequest, NotFound, field_error
from server.models import Order
from server.orders.handlers import AcceptOrder, CancelOrder
from server.orders.views import lines_of, order_view
from server.packing.operations import packages_of
from server.runtime import runtime
from server.spine import Dedupe, fingerprint

bp = Blueprint("orders", __name__, url_prefix="/api/v1")

IDEMPOTENCY_HEADER = (
    "Idempotency-Key",
    True,
    "Client-chosen key (up to 255 printable characters); the same key and body replays the "
    "stored response, the same key with another body is refused with 422.",
)


@operation(
    bp,
    "/orders",
    "POST",
    access="oms",
    tag="orders",
    body=OrderIn,
    headers=(IDEMPOTENCY_HEADER,),
    summary="Accept an order and allocate its stock",
    responses={201: ("The order, accepted or backordered", OrderOut)},
)
def post_order(body: OrderIn) -> Any:
    key = _idempotency_key()
    payload = body.model_dump(mode="json")
    order = body.model_dump()
    if order["ship_by"] is not None:
        order["ship_by"] = order["ship_by"].astimezone(dt.UTC).replace(tzinfo=None)
    dedupe = Dedupe(idempotency_dedupe_key(g.api_key.prefix, key), fingerprint(payload))
    outcome = _accepting()(AcceptOrder(order), api_actor(), dedupe=dedupe)
    headers = {"Location": f"/api/v1/orders/{body.external_id}"}
    if outcome.replayed:
        headers["Idempotent-Replayed"] = "true"
    return outcome.result, 201, headers


def _accepting() -> Any:
    """On SQLite, orders share commits with concurrent orders (group commit: one fsync for
    several, each in its own savepoint; 2x orders/s measured, docs/performance.md). Not on
    PostgreSQL: it runs transactions concurrently anyway, and a group would take stock row
    locks out of id order (deadlocks with cancels)."""
    spine = runtime().spine
    return spine.execute if is_postgres() else spine.execute_grouped


def idempotency_dedupe_key(key_prefix: str, key: str) -> str:
    """Keys are per API key; hashed so any 255-character key fits the stored column."""
    return f"idem:{key_prefix}:{hashlib.sha256(key.encode()).hexdigest()}"


def _idempotency_key() -> str:
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > 255 or not key.isprintable():
        raise MalformedRequest(
            "the Idempotency-Key must be 1 to 255 printable characters",
            [field_error("header.Idempotency-Key", "1 to 255 printable characters")],
        )
    return key


@operation(
    bp,
    "/orders/<external_id>",
    "GET",
    access="oms",
    tag="orders",
    summary="One order with per-line progress and its packages",
    responses={200: ("The order", OrderWithPackages)},
)
def get_order(external_id: str) -> Any:
    order = Order.get_or_none(Order.external_id == external_id)
    if order is None:
        raise NotFound(f"no order {external_id}")
    return order_view(order) | {"packages": packages_of(order)}


@operation(
    bp,
    "/orders",
    "GET",
    access="oms",
    tag="orders",
    query=OrderQuery,
    summary="Orders by status and last change, oldest change first",
    responses={200: ("A page of orders", OrderPage)},
)
def list_orders(query: OrderQuery) -> Any:
    rows = Order.select()
    if query.status:
        rows = rows.where(Order.status == query.status)
    if query.updated_after:
        rows = rows.where(Order.updated_at >= _after_millisecond(query.updated_after))
    after = pagination.decode(query.cursor, 2)
    if after:
        stamp = _cursor_time(after[0])
        rows = rows.where(
            (Order.updated_at > stamp) | ((Order.updated_at == stamp) & (Order.id > after[1]))
        )
    fetched = list(rows.order_by(Order.updated_at, Order.id).limit(query.limit + 1))
    fetched, next_cursor, has_more = pagination.page(
        fetched, query.limit, lambda o: [o.updated_at.isoformat(), o.id]
    )
    lines = lines_of(o.id for o in fetched)
    data = [order_view(o, lines[o.id]) for o in fetched]
    return {"data": data, "next_cursor": next_cursor, "has_more": has_more}


_LAST_MILLISECOND = dt.datetime.max.replace(microsecond=999_000)


def _after_millisecond(value: dt.datetime) -> dt.datetime:
    """Timestamps are shown to the millisecond; "after" a shown value means the next one."""
    naive = value.astimezone(dt.UTC).replace(tzinfo=None)
    shown = naive.replace(microsecond=naive.microsecond // 1000 * 1000)
    return shown + dt.timedelta(milliseconds=1) if shown < _LAST_MILLISECOND else shown


def _cursor_time(value: Any) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(str(value))
    except ValueError:
        raise MalformedRequest("the cursor is not one this server gave out") from None


@operation(
    bp,
    "/orders/<external_id>/cancel",
    "POST",
    access="oms",
    tag="orders",
    body=CancelIn,
    summary="Cancel an order and release its reservations (409 once dispatched)",
    responses={200: ("The cancelled order", OrderOut)},
)
def cancel_order(external_id: str, body: CancelIn) -> Any:
    command = CancelOrder(external_id, body.reason)
    return runtime().spine.execute(command, api_actor()).result
