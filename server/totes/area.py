"""The totes area: reusable containers and their contents (docs/picking.md, "Totes")."""

from server.area import Area
from server.totes import demo
from server.totes.handlers import HANDLERS
from server.totes.operations import OPERATIONS

AREA = Area(name="totes", handlers=[HANDLERS], operations=OPERATIONS, seed=demo.seed)
