"""The fault campaign (docs/reliability.md, "The campaign"): one steady mixed workload through
all the real processes at once, faults on a schedule, the invariants checked and printed as
a table (tests/faults/campaign.py). `make test` runs one short round of the schedule;
`make faults` runs CAMPAIGN_ROUNDS full rounds (3) and prints the table, which
CAMPAIGN_REPORT names a file for."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.faults.campaign import Campaign
from tests.fixtures.database import on_postgres

ROUNDS = int(os.environ.get("CAMPAIGN_ROUNDS", "0"))  # 0: one short round


@pytest.mark.slow
# A client drops its connection to a server killed under it (as a kiosk does), and the
# garbage collector may find such a socket at any moment: not what the campaign checks.
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.timeout(300 + 210 * ROUNDS)  # a full round: ~2 min, more under load
def test_a_mixed_workload_under_scheduled_faults_keeps_every_invariant(
    tmp_path: Path, mosquitto_factory: Callable[..., Any], serial_pty: Callable[[str], Any]
) -> None:
    campaign = Campaign(tmp_path, mosquitto_factory, serial_pty, ROUNDS, on_postgres)
    try:
        report = campaign.run()
    finally:
        # such sockets found now, under this test's filters, not after it: a short round
        # ends before the collector ran, and pytest's `error` filter then failed the session
        gc.collect()
    table = report.table()
    print(table)
    if os.environ.get("CAMPAIGN_REPORT"):
        Path(os.environ["CAMPAIGN_REPORT"]).write_text(table + "\n")
    assert report.ok, table
