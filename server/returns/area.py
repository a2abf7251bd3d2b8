"""The returns area: RMAs registered by the OMS (docs/api.md)."""

from server.area import Area
from server.returns import events
from server.returns.handlers import HANDLERS

AREA = Area(name="returns", handlers=[HANDLERS], events=events.EVENTS)
