"""The orders area: accepting (with allocation) and cancelling orders (docs/api.md).

Other areas join an order's life through the hook points ORDER_ACCEPTED and
ORDER_CANCELLED (server/orders/handlers.py), declared in their own Area's `hooks`.
"""

from server.area import Area
from server.inventory.stock import STOCK_ARRIVED
from server.orders import events, handlers, holds
from server.orders.backorders import serve_backorders

AREA = Area(
    name="orders",
    handlers=[handlers.HANDLERS, holds.HANDLERS],
    events=events.EVENTS,
    hooks={STOCK_ARRIVED: serve_backorders},
)
