"""The inventory area: stock rows and adjustments (docs/api.md)."""

from server.area import Area
from server.inventory import events
from server.inventory.handlers import HANDLERS

AREA = Area(name="inventory", handlers=[HANDLERS], events=events.EVENTS)
