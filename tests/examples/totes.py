from __future__ import annotations

from server.totes.handlers import UpsertTotes
from tests.examples import Example

EXAMPLES: dict[type, Example] = {UpsertTotes: lambda s: UpsertTotes(["T-100", "T-101"])}
