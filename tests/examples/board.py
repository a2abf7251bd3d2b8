"""The board's command for tests/sync/test_every_change_has_its_event.py: a fix applied to
an open exception (acknowledged: `exception.acknowledged`)."""

from __future__ import annotations

from server.board.fixes import ApplyFix
from server.spine import Spine
from tests.examples import Example
from tests.examples.supervision import RaiseForTest
from tests.sync.conftest import TESTER


def _acknowledged(spine: Spine) -> ApplyFix:
    exception_id = spine.execute(RaiseForTest("k"), TESTER).result
    return ApplyFix(exception_id, "acknowledge", "on it")


EXAMPLES: dict[type, Example] = {ApplyFix: _acknowledged}
