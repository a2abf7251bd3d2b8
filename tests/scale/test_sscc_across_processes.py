"""SSCC allocation from several processes on one PostgreSQL database: four OS processes
allocate at once, each in its own transactions (as four `floorlink serve` would); no SSCC is
issued twice and none is skipped."""

from __future__ import annotations

import subprocess
import sys

import peewee
import pytest

from tests.fixtures.database import on_postgres

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not on_postgres, reason="several processes need PostgreSQL"),
]

EACH = 150
ALLOCATE = """
import sys
from server import db
from server.packing.labelling import allocate_sscc
from server.packing.settings import PackingSettings

database = db.bind(sys.argv[1])
settings = PackingSettings(gs1_company_prefix="0614141")
got = []
for _ in range(int(sys.argv[2])):
    with database.connection_context():
        for attempt in range(20):  # a concurrent first row conflicts: the caller retries
            try:
                with database.atomic():
                    got.append(allocate_sscc(settings))
                break
            except Exception:
                if attempt == 19:
                    raise
print("\\n".join(got))
"""


def test_four_processes_never_issue_one_sscc_twice(db_url: str, database: peewee.Database) -> None:
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", ALLOCATE, db_url, str(EACH)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    issued: list[str] = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        issued += out.split()
    assert len(issued) == 4 * EACH
    assert len(set(issued)) == len(issued)
    serials = sorted(int(code[-10:-1]) for code in issued)  # serial reference, check digit off
    assert serials == list(range(1, 4 * EACH + 1))
