from __future__ import annotations

from dataclasses import dataclass

from server.spine import Unit
from server.supervision.exceptions import ResolveException, raise_exception
from tests.examples import Example
from tests.fixtures.areas import TEST_HANDLERS
from tests.sync.conftest import TESTER


@dataclass(frozen=True)
class RaiseForTest:
    """Test-only: raise a supervisor exception (areas raise them inside their commands)."""

    kind: str


@TEST_HANDLERS.handles(RaiseForTest)
def _raise_for_test(cmd: RaiseForTest, unit: Unit) -> str:
    return str(raise_exception(unit, kind=cmd.kind, subject="order:E", message="m").exception_id)


EXAMPLES: dict[type, Example] = {
    ResolveException: lambda s: ResolveException(s.execute(RaiseForTest("k"), TESTER).result),
    RaiseForTest: lambda s: RaiseForTest("k"),
}
