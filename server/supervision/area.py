"""The supervision area: the exceptions supervisors see and resolve (docs/api.md)."""

from server.area import Area
from server.supervision import events
from server.supervision.exceptions import HANDLERS

AREA = Area(name="supervision", handlers=[HANDLERS], events=events.EVENTS)
