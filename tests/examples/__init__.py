"""Example commands for tests/sync/test_every_change_has_its_event.py, one module per area
(`tests/examples/<area>.py`, named after `Area.name`), each with `EXAMPLES`: command type ->
fn(spine) that builds the setup through real commands and returns the command to drive. A
new area adds its module here with its tests; nothing else changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from server.spine import Spine

Example = Callable[[Spine], Any]
