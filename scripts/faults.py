"""`make faults`: the fault tests, longer than in `make test`, with a table of what held.

Runs the tests that kill things (the broker under a stream from several bridges, the
bridge, the server, the relay) with more kills, the campaign (all of those faults on a
schedule under one mixed workload, CAMPAIGN_ROUNDS rounds) and the parser fuzzing with
many more examples, on the database of FLOORLINK_TEST_DATABASE_URL (SQLite when unset; the
Makefile runs it again under scripts/with-postgres.sh). Prints one line per fault and its
result, then the campaign's table of invariants.

Settings (environment): FAULT_KILLS (10), FUZZ_EXAMPLES (20000), CAMPAIGN_ROUNDS (3; each
full round has the webhook receiver gone for 40 s among its faults).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# (the fault, the test that causes it and checks the invariant)
FAULTS = [
    (
        "broker SIGKILL x N, 3 bridges streaming scans + weights",
        "tests/hardware/test_end_to_end_ack.py",
    ),
    (
        "broker refuses (ACL), broker killed under a bridge",
        "tests/firmware_bridge/test_bridge_store_and_forward.py",
    ),
    (
        "bridge kill -9 with unconfirmed events in its spool",
        "tests/firmware_bridge/test_bridge_process_crash.py",
    ),
    ("server restarted / broker killed under MQTT ingest", "tests/hardware/test_mqtt_ingest.py"),
    ("relay kill -9 between send and record", "tests/sync/test_relay_kill9.py"),
    ("receiver: random 500s, down then back, Retry-After", "tests/sync/test_relay_delivery.py"),
    (
        "receiver: 410 pauses, 500 until dead letter, replay",
        "tests/sync/test_pause_and_dead_letter.py",
    ),
    ("parsers fuzzed (barcode, MQTT, MT-SICS, framing, Retry-After)", "tests/fuzz/test_parsers.py"),
    ("request bodies strict (no coercion)", "tests/floor/test_strict_bodies.py"),
    (
        "disk full under serve: 503 Storage full, floor error screen, resumes when freed",
        "tests/server/test_full_disk.py",
    ),
    (
        "the kills and receiver faults above, on a schedule under one mixed workload",
        "tests/faults/test_campaign.py",
    ),
]

# Run once (on the SQLite pass): pure parsers are the same on either database, and the full
# disk is SQLite's own file on a tmpfs the test mounts, whatever the suite's database.
NO_DATABASE = {"tests/fuzz/test_parsers.py", "tests/server/test_full_disk.py"}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--only", action="append", default=[], metavar="TEXT",
        help="run only the tests whose path contains TEXT (repeatable), e.g. "
        "--only tests/faults/ for the campaign alone",
    )  # fmt: skip
    only = parser.parse_args().only
    # Not FLOORLINK_*: those are settings, and the processes the tests start refuse unknown ones.
    env = {
        **os.environ,
        "FAULT_KILLS": os.environ.get("FAULT_KILLS", "10"),
        "FUZZ_EXAMPLES": os.environ.get("FUZZ_EXAMPLES", "20000"),
        "CAMPAIGN_ROUNDS": os.environ.get("CAMPAIGN_ROUNDS", "3"),
    }
    handle, report_path = tempfile.mkstemp(suffix=".md")  # the campaign's table, if it ran
    os.close(handle)
    env["CAMPAIGN_REPORT"] = report_path
    database = "PostgreSQL" if env.get("FLOORLINK_TEST_DATABASE_URL") else "SQLite"
    rows = []
    for fault, path in FAULTS:
        if database == "PostgreSQL" and path in NO_DATABASE:
            continue
        if only and not any(text in path for text in only):
            continue
        with tempfile.NamedTemporaryFile(suffix=".xml") as report:
            started = time.monotonic()
            subprocess.run(
                [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", path,
                 "-o", "timeout=1800", f"--junitxml={report.name}"],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            seconds = time.monotonic() - started
            suite = ET.parse(report.name).getroot()
            suite = suite if suite.tag == "testsuite" else suite[0]
            failed = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
            total = int(suite.get("tests", 0))
            rows.append((fault, path, total - failed, total, seconds))
            for case in suite.iter("testcase"):
                for problem in [*case.iter("failure"), *case.iter("error")]:
                    message = (problem.get("message") or "").splitlines()[:1]
                    print(f"FAILED {case.get('name')}: {' '.join(message)[:300]}", flush=True)
    print(f"\nFault campaign on {database} (kills {env['FAULT_KILLS']}, fuzz examples "
          f"{env['FUZZ_EXAMPLES']}, campaign rounds {env['CAMPAIGN_ROUNDS']})")  # fmt: skip
    print("| fault | test | passed | time |\n|---|---|---|---|")
    for fault, path, passed, total, seconds in rows:
        mark = "ok" if passed == total else "FAILED"
        print(f"| {fault} | `{path}` | {passed}/{total} {mark} | {seconds:.0f} s |")
    table = Path(report_path).read_text()
    os.unlink(report_path)
    if table:
        print(f"\n{table}")
    return 0 if all(passed == total for _, _, passed, total, _ in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
