"""Threads hammering one SKU with concurrent orders never oversell (SQLite and PostgreSQL)."""

from __future__ import annotations

import http.client
import json
import threading
from typing import Any
from urllib.parse import urlparse

import psycopg2
import pytest

from server.db import database
from server.inventory.stock import locked_slots
from server.models import Order, OrderLine, Product, Stock
from tests.fixtures.app import Api
from tests.fixtures.database import PG_URL, on_postgres
from tests.fixtures.site import load_site

THREADS = 8
ORDERS_PER_THREAD = 6

pytestmark = pytest.mark.slow


def _request(base: str, key: str, method: str, path: str, body: Any = None, **headers: str) -> int:
    """One request on its own keep-alive-less connection, as a separate OMS client would."""
    url = urlparse(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    all_headers = {"Authorization": f"Bearer {key}", **headers}
    if body is not None:
        all_headers["Content-Type"] = "application/json"
    try:
        conn.request(method, path, None if body is None else json.dumps(body), all_headers)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def post_order(base: str, key: str, external_id: str, qty: int) -> int:
    body = {
        "external_id": external_id,
        "channel": "web",
        "lines": [
            {"line_id": "1", "sku": "MUG", "qty": qty},
            {"line_id": "2", "sku": "PEN", "qty": 1},
        ],
    }
    return _request(base, key, "POST", "/api/v1/orders", body, **{"Idempotency-Key": external_id})


def test_concurrent_orders_never_oversell(live_server: str, api: Api) -> None:
    stock = [
        {"sku": "MUG", "location": "A-01-01-1", "delta": 7, "reason": "count"},
        {"sku": "MUG", "location": "A-01-02-1", "delta": 6, "reason": "count"},
        {"sku": "MUG", "location": "BULK-01", "delta": 10, "reason": "count"},
        {"sku": "PEN", "location": "A-02-01-1", "delta": 60, "reason": "count"},
    ]
    load_site(api, stock)
    statuses: list[int] = []
    barrier = threading.Barrier(THREADS)

    def hammer(t: int) -> None:
        barrier.wait()
        for n in range(ORDERS_PER_THREAD):
            statuses.append(post_order(live_server, api.key, f"T{t}-{n}", 1 + (t + n) % 3))

    threads = [threading.Thread(target=hammer, args=(t,)) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(100)
    assert statuses == [201] * THREADS * ORDERS_PER_THREAD
    _assert_consistent(on_hand={"MUG": 23, "PEN": 60})


def _assert_consistent(on_hand: dict[str, int]) -> None:
    with database.connection_context():
        rows = list(Stock.select())
        reserved: dict[int, int] = {}
        for row in rows:
            assert 0 <= row.reserved <= row.on_hand
            reserved[row.product_id] = reserved.get(row.product_id, 0) + row.reserved
        lines = list(OrderLine.select(OrderLine, Order).join(Order))
        allocated: dict[int, int] = {}
        for line in lines:
            assert 0 <= line.allocated <= line.qty
            allocated[line.product_id] = allocated.get(line.product_id, 0) + line.allocated
            status = line.order.status
            assert status in ("accepted", "backordered")
        for order in Order.select():
            full = all(ln.allocated == ln.qty for ln in order.lines)
            assert order.status == ("accepted" if full else "backordered")
        assert reserved == allocated
        by_sku = _by_sku(rows)
    assert by_sku["MUG"][0] == on_hand["MUG"]
    assert by_sku["MUG"][1] == min(on_hand["MUG"], _ordered("MUG"))
    assert by_sku["PEN"][1] == THREADS * ORDERS_PER_THREAD


def _by_sku(rows: list[Any]) -> dict[str, tuple[int, int]]:
    out: dict[str, tuple[int, int]] = {}
    for row in rows:
        on, res = out.get(row.product.sku, (0, 0))
        out[row.product.sku] = (on + row.on_hand, res + row.reserved)
    return out


def _ordered(sku: str) -> int:
    with database.connection_context():
        return sum(
            ln.qty for ln in OrderLine.select().join_from(OrderLine, Order) if ln.product.sku == sku
        )


def post_cancel(base: str, key: str, external_id: str) -> int:
    return _request(base, key, "POST", f"/api/v1/orders/{external_id}/cancel")


def test_concurrent_orders_and_cancels_keep_reservations_true(live_server: str, api: Api) -> None:
    stock = [
        {"sku": "MUG", "location": "A-01-01-1", "delta": 9, "reason": "count"},
        {"sku": "MUG", "location": "BULK-01", "delta": 4, "reason": "count"},
        {"sku": "PEN", "location": "A-02-01-1", "delta": 20, "reason": "count"},
    ]
    load_site(api, stock)
    statuses: list[int] = []
    barrier = threading.Barrier(THREADS)

    def hammer(t: int) -> None:
        barrier.wait()
        for n in range(ORDERS_PER_THREAD):
            statuses.append(post_order(live_server, api.key, f"C{t}-{n}", 1 + (t + n) % 3))
            if n % 2:
                statuses.append(post_cancel(live_server, api.key, f"C{t}-{n - 1}"))

    threads = [threading.Thread(target=hammer, args=(t,)) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(100)
    assert set(statuses) == {200, 201}
    with database.connection_context():
        reserved = sum(row.reserved for row in Stock.select())
        assert all(row.reserved <= row.on_hand for row in Stock.select())
        lines = list(OrderLine.select(OrderLine, Order).join(Order))
        assert all(ln.allocated == 0 for ln in lines if ln.order.status == "cancelled")
        assert reserved == sum(ln.allocated for ln in lines)
        cancelled = Order.select().where(Order.status == "cancelled").count()
    assert cancelled == THREADS * (ORDERS_PER_THREAD // 2)


@pytest.mark.skipif(not on_postgres, reason="row lock strengths are PostgreSQL's")
def test_allocating_does_not_wait_for_an_insert_referencing_its_stock(site: Api) -> None:
    """A pick task being inserted for a batch takes FOR KEY SHARE on its stock row (the
    foreign key check), row by row in walk order. Allocation locked its rows FOR UPDATE,
    which waits for that lock: with the claim waiting for a row the allocation held, a
    deadlock (found by tests/faults). FOR NO KEY UPDATE does not wait for it."""
    with database.connection_context():
        mug = Stock.select().join(Product).where(Product.sku == "MUG").get()
        product_id = mug.product_id
    other = psycopg2.connect(PG_URL)
    try:
        other.cursor().execute('SELECT 1 FROM "stock" WHERE "id" = %s FOR KEY SHARE', [mug.id])
        with database.connection_context(), database.atomic():
            database.execute_sql("SET LOCAL lock_timeout = '3s'")
            slots = locked_slots([product_id])  # LockNotAvailable here with FOR UPDATE
        assert [s.stock_id for s in slots[product_id]] == [mug.id]
    finally:
        other.rollback()
        other.close()
