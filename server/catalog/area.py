"""The catalogue area: products and locations (docs/api.md)."""

from server.area import Area
from server.catalog import events
from server.catalog.handlers import HANDLERS

AREA = Area(name="catalog", handlers=[HANDLERS], events=events.EVENTS)
