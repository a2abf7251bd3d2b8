"""The orders area: accepting (with allocation) and cancelling orders (docs/api.md).

Other areas join an order's life through the hook points ORDER_ACCEPTED and
ORDER_CANCELLED (server/orders/handlers.py), declared in their own Area's `hooks`.
"""

from server.area import Area
from server.orders import events, handlers, holds

AREA = Area(name="orders", handlers=[handlers.HANDLERS, holds.HANDLERS], events=events.EVENTS)
