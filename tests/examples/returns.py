from __future__ import annotations

from server.returns.handlers import RegisterReturn
from tests.examples import Example
from tests.examples.setup import order
from tests.sync.conftest import TESTER

EXAMPLES: dict[type, Example] = {
    RegisterReturn: lambda s: (
        s.execute(order("EX-3"), TESTER),
        RegisterReturn(
            {
                "rma_id": "RMA-1",
                "order_external_id": "EX-3",
                "lines": [{"sku": "MUG", "qty": 1, "reason": "damaged"}],
            }
        ),
    )[1],
}
