from __future__ import annotations

from server.inventory.handlers import AdjustStock
from tests.examples import Example

EXAMPLES: dict[type, Example] = {
    AdjustStock: lambda s: AdjustStock(
        [{"sku": "MUG", "location": "A-01-01-1", "delta": 1, "reason": "count"}]
    ),
}
