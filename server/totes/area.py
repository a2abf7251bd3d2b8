"""The totes area: reusable containers and their contents (docs/picking.md, "Totes")."""

from server.area import Area
from server.totes import demo
from server.totes.handlers import HANDLERS

AREA = Area(name="totes", handlers=[HANDLERS], seed=demo.seed)
