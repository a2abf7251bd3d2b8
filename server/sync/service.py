"""The relay as a background service: one fan-out pump and a few worker threads.

Woken after every commit (a spine listener) and polling every `relay.poll_interval_s`
for retries that come due and for events committed by other processes.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING, Any

from server.errors import unavailable
from server.spine import Spine
from server.sync import memory, waiting
from server.sync.relay import Relay
from server.sync.settings import RelaySettings

if TYPE_CHECKING:
    from server.runtime import Runtime

log = logging.getLogger(__name__)


class RelayService:
    """A fan-out pump and `workers` threads that each claim, send and settle.

    Claims are pipelined: while some workers send, another claims the next subjects. One
    worker claims at a time, and after a claim that found less than a full batch nobody
    claims again until something changed (a settle, new events, the poll interval): a
    claim that finds little scans every pending delivery.
    """

    name = "webhook relay"

    def __init__(
        self, relay: Relay, workers: int, poll_interval_s: float, trim_memory: bool = True
    ) -> None:
        self.relay = relay
        self.trim_memory = trim_memory  # memory.trim() every memory.TRIM_S in the pump
        self.workers = workers
        self.poll = poll_interval_s
        self._wake = threading.Event()
        self._work = threading.Condition()
        self._generation = 0  # bumped by the pump and by every settle
        self._dry = -1  # the generation in which a claim came back short
        self._claiming = False
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []

    def wake(self, _events: Any = None) -> None:
        self._wake.set()

    def start(self) -> None:
        self._stopping.clear()
        self._threads = [threading.Thread(target=self._pump, name="relay-pump", daemon=True)]
        self._threads += [
            threading.Thread(target=self._worker, name=f"relay-worker-{i}", daemon=True)
            for i in range(self.workers)
        ]
        for thread in self._threads:
            thread.start()
        memory.watch(self._stopping)

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        self._changed()
        for thread in self._threads:
            thread.join(self.relay.timeout_s + 5)
        self._threads = []
        self.relay.sender.close()

    def _changed(self) -> None:
        with self._work:
            self._generation += 1
            self._work.notify_all()

    def _pump(self) -> None:
        marked = freed = trimmed = time.monotonic()
        while not self._stopping.is_set():
            try:
                self.relay.catch_up()
            except Exception as exc:
                _failed("relay fan-out failed; trying again", exc)
            now = time.monotonic()
            if now - marked >= waiting.WAITING_SWEEP_S:
                marked, free = now, now - freed >= waiting.FREE_SWEEP_S
                freed = now if free else freed
                try:
                    self.relay.sweep_waiting(free)
                except Exception as exc:
                    _failed("relay sweep of waiting deliveries failed; trying again", exc)
            if self.trim_memory and now - trimmed >= memory.TRIM_S:
                trimmed = now
                memory.trim()  # the arenas' free pages back: server/sync/memory.py
            self._changed()
            self._wake.wait(self.poll)
            self._wake.clear()

    def _worker(self) -> None:
        while (generation := self._turn_to_claim()) is not None:
            try:
                chains = self.relay.claim()
            except Exception as exc:
                _failed("relay claim failed; trying again", exc)
                chains = []
            with self._work:
                self._claiming = False
                if len(chains) < self.relay.batch_size:
                    self._dry = generation
                self._work.notify_all()
            if not chains:
                continue
            try:
                self.relay.deliver(chains)
            except Exception as exc:
                _failed("relay delivery failed; the leases will run out and retry", exc)
            self._changed()

    def _turn_to_claim(self) -> int | None:
        """Wait until this worker may claim; its generation, or None when stopping."""
        with self._work:
            while self._claiming or self._dry == self._generation:
                if self._stopping.is_set():
                    return None
                self._work.wait(self.poll)
            if self._stopping.is_set():
                return None
            self._claiming = True
            return self._generation


def _failed(what: str, exc: Exception) -> None:
    """A database that cannot take the work (a full disk, an outage) is a warning that says
    so, once per turn; anything else is a bug, logged with its traceback."""
    refused = unavailable(exc)
    if refused is None:
        log.exception(what)
    else:
        log.warning("%s (%s: %s)", what, refused.title, exc)


def from_settings(settings: RelaySettings, spine: Spine, workers: int = 8) -> RelayService:
    relay = Relay(
        spine,
        timeout_s=settings.timeout_s,
        batch_size=settings.batch_size,
        retry_schedule_s=settings.retry_schedule_s,
    )
    return RelayService(relay, workers, settings.poll_interval_s)


def build(runtime: Runtime) -> list[RelayService]:
    """The relay inside `floorlink serve`, woken after every commit, unless settings
    disable it."""
    settings: RelaySettings = runtime.settings.section("relay")
    if not settings.enabled:
        return []
    service = from_settings(settings, runtime.spine)
    # the relay process trims its malloc arenas (server/sync/memory.py); inside the server
    # that would make the web threads wait on the arena locks it takes, and is not measured
    service.trim_memory = False
    runtime.spine.subscribe(service.wake)
    return [service]
