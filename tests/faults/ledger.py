"""What the campaign's clients saw, and what was down when: the record the invariants are
checked against.

Every request a client sends goes into the `Ledger` with its answer (a status, or None when
none came: refused, reset, timed out). `Availability` is what the fault schedule has taken
down and when it came back, so that a client knows how long to wait before it concludes
that a scan was lost (a serial port has no acknowledgement). `Worker` is a client thread
whose failure is kept for the test to raise.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

ANSWER_WITHIN_S = 120.0  # a request not answered by then fails its client: it is stuck


@dataclass(frozen=True)
class Call:
    client: str
    what: str
    sent: float  # time.monotonic()
    answered: float
    status: int | None  # None: no answer


@dataclass
class Ledger:
    calls: list[Call] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # what a client saw that is wrong
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, client: str, what: str, sent: float, status: int | None) -> None:
        with self._lock:
            self.calls.append(Call(client, what, sent, time.monotonic(), status))

    def problem(self, text: str) -> None:
        with self._lock:
            self.problems.append(text)


class Availability:
    """Which parts the schedule has taken down (by name), and when each came back."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._down: set[str] = set()
        self._back: dict[str, float] = {}

    def down(self, name: str) -> None:
        with self._lock:
            self._down.add(name)

    def back(self, name: str) -> None:
        with self._lock:
            self._down.discard(name)
            self._back[name] = time.monotonic()

    def patient_until(self, names: tuple[str, ...], since: float, patience: float) -> float:
        """Until when to wait for something that needs `names` up, asked at `since`: the
        patience counts from the later of `since` and their last return (infinite while
        one of them is down)."""
        with self._lock:
            if self._down & set(names):
                return float("inf")
            return max([since, *(self._back.get(n, 0.0) for n in names)]) + patience


class Worker(threading.Thread):
    """A client thread: `work()` until `stop` is set; `acked` counts its acknowledged
    requests (the schedule waits for every worker to make progress after each fault)."""

    def __init__(self, name: str, ledger: Ledger, stop: threading.Event) -> None:
        super().__init__(name=name, daemon=True)
        self.ledger, self.stop_event = ledger, stop
        self.acked = 0
        self.failure: str | None = None

    def run(self) -> None:
        try:
            self.work()
        except BaseException:  # kept for the test: a client thread must not die silently
            self.failure = f"{self.name}: {traceback.format_exc()}"

    def work(self) -> None:
        raise NotImplementedError


def wait_until(check: Callable[[], Any], timeout: float, what: str, step: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout:.0f} s: {what}")


def answered(
    http: requests.Session, ledger: Ledger, client: str, method: str, url: str, **kw: Any
) -> tuple[requests.Response, int]:
    """Send until an answer below 500 comes, the same request each time (its ids and
    Idempotency-Key are in it): a refused connection, a timeout or a 5xx is sent again.
    The answer and how many times it was sent."""
    what = f"{method} {url.split('/api/', 1)[-1]}"
    deadline = time.monotonic() + ANSWER_WITHIN_S
    for attempt in range(1, 10_000):
        sent = time.monotonic()
        try:
            response = http.request(method, url, timeout=10, **kw)
        except requests.RequestException:
            ledger.record(client, what, sent, None)
        else:
            ledger.record(client, what, sent, response.status_code)
            if response.status_code < 500:
                return response, attempt
        if time.monotonic() > deadline:
            raise AssertionError(f"{client}: {what} not answered in {ANSWER_WITHIN_S:.0f} s")
        time.sleep(0.2)
    raise AssertionError("unreachable")  # pragma: no cover
