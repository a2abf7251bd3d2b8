"""The totes area: reusable containers and their contents (docs/picking.md, "Totes")."""

from server.area import Area
from server.totes import demo, events
from server.totes.handlers import HANDLERS
from server.totes.operations import OPERATIONS

AREA = Area(
    name="totes",
    handlers=[HANDLERS],
    events=events.EVENTS,
    operations=OPERATIONS,
    seed=demo.seed,
)
