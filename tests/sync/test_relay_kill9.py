"""kill -9 of a standalone `floorlink relay` mid-delivery: after restart nothing is lost.

The receiver holds the first request; the relay is killed while that request waits for its
2xx (the receiver then answers into a dead socket: it processed the event, the relay never
recorded it) and while the rest of its claimed batch was never sent. More events commit
while no relay runs. After a restart every event arrives, in order per subject, and the
duplicate carries the same webhook-id.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest

from server.spine import Spine
from tests.sync.conftest import add_endpoint, emit
from tests.sync.receiver import Received, Receiver


@pytest.fixture
def relay_process(db_url: str) -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)


def _start(db_url: str, started: list[subprocess.Popen[bytes]]) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "FLOORLINK_DATABASE_URL": db_url,
        "FLOORLINK_SECRET_KEY": "test",
        "FLOORLINK_RELAY__TIMEOUT_S": "1",
        "FLOORLINK_RELAY__POLL_INTERVAL_S": "0.1",
    }
    code = "from server.cli import main; main()"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "relay", "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    started.append(proc)
    return proc


def _wait(predicate: object, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False


@pytest.mark.slow
def test_kill9_between_send_and_record_loses_nothing(
    db_url: str, spine: Spine, receiver: Receiver, relay_process: list[subprocess.Popen[bytes]]
) -> None:
    add_endpoint(spine, receiver, ["order.*"])
    sent = []
    for i in range(6):
        sent += emit(spine, *[("order.picked", f"order:K-{s}", {"i": i}) for s in range(4)])
    first_seen, release = threading.Event(), threading.Event()

    def hold_first(received: Received) -> None:
        if not first_seen.is_set():
            first_seen.set()
            release.wait(10)

    receiver.before_answer = hold_first
    proc = _start(db_url, relay_process)
    assert first_seen.wait(30), "the relay never sent anything"
    proc.kill()  # SIGKILL while the receiver has the event and the batch is claimed
    proc.wait(10)
    release.set()
    sent += emit(spine, ("order.packed", "order:K-0", {}), ("order.packed", "order:K-9", {}))
    _start(db_url, relay_process)
    wanted = {e["id"] for e in sent}
    assert _wait(lambda: wanted <= set(receiver.accepted_ids()), 60), "not everything arrived"

    accepted = list(receiver.accepted)
    assert all(r.valid for r in accepted)
    ids = [r.webhook_id for r in accepted]
    assert len(ids) > len(set(ids)), "the held event should have been sent again"
    first_time: dict[str, list[int]] = {}
    seen: set[str] = set()
    for r in accepted:
        if r.webhook_id in seen:
            continue
        seen.add(r.webhook_id)
        first_time.setdefault(r.event["subject"], []).append(r.event["seq"])
    assert all(seqs == sorted(seqs) for seqs in first_time.values())
