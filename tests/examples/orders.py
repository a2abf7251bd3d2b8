from __future__ import annotations

from server.orders.handlers import AcceptOrder, CancelOrder
from server.orders.holds import HoldOrder, ReleaseOrder
from tests.examples import Example
from tests.examples.setup import held, order
from tests.sync.conftest import TESTER

EXAMPLES: dict[type, Example] = {
    AcceptOrder: lambda s: order("EX-1"),
    CancelOrder: lambda s: (s.execute(order("EX-2"), TESTER), CancelOrder("EX-2", "x"))[1],
    HoldOrder: lambda s: (s.execute(order("EX-H"), TESTER), HoldOrder("EX-H", "fraud check"))[1],
    ReleaseOrder: lambda s: ReleaseOrder(held(s, "EX-H")),
}
