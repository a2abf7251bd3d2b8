"""The relay: claims due deliveries, POSTs them outside any transaction, settles the result.

`Relay.step()` is one round (claim, send, settle) and is safe to run from several threads
and several processes at once; `RelayService` runs a fan-out pump and worker threads in
`floorlink serve` (woken after each commit) or in `floorlink relay` (polling).
The clock and the random source are injectable so the retry schedule is tested without
waiting hours.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from server.db import connection
from server.errors import Conflict, NotFound
from server.models import WebhookEndpoint, utcnow
from server.spine import Actor, Spine
from server.sync import outbox, schedule, signing, waiting
from server.sync.deadletter import DeadLetter
from server.sync.endpoints import SetEndpointStatus
from server.sync.sender import Answer, Sender

log = logging.getLogger(__name__)
RELAY = Actor("system", "relay")
Clock = Callable[[], dt.datetime]


def signing_keys(endpoint: WebhookEndpoint, now: dt.datetime) -> list[bytes]:
    """The current secret, and the previous one while its rotation grace lasts."""
    keys = [signing.secret_key(endpoint.secret)]
    expires = endpoint.previous_expires_at
    if endpoint.previous_secret and expires is not None and expires > now:
        keys.append(signing.secret_key(endpoint.previous_secret))
    return keys


@dataclass
class _Round:
    """The outcome of one batch being sent."""

    settlement: outbox.Settlement
    dead: list[tuple[int, int | None, str]]
    gone: set[int]
    down: dict[int, str]


class Relay:
    def __init__(
        self,
        spine: Spine,
        *,
        timeout_s: float = 15.0,
        batch_size: int = 100,
        clock: Clock = utcnow,
        rand: Callable[[], float] | None = None,
        sender: Sender | None = None,
        chain: int = outbox.CHAIN,
        retry_schedule_s: tuple[float, ...] = schedule.SCHEDULE_S,
    ) -> None:
        self.spine = spine
        self.retry_schedule_s = retry_schedule_s
        self.timeout_s = timeout_s
        self.batch_size = batch_size  # subjects per claim, each with up to `chain` events
        self.chain = chain
        self.clock = clock
        # a generator of its own, not the random module's: the jitter of one relay does not
        # touch the state other code in the process draws from (hypothesis flags a change
        # to it during a draw as a flaky strategy: tests/server/test_api_schemathesis.py)
        self.rand = rand or random.Random().random
        self.lease = dt.timedelta(seconds=timeout_s * 2 + 1)
        self.sender = sender or Sender(timeout_s)
        self._claiming = threading.Lock()  # one claim at a time per process

    def catch_up(self) -> int:
        """Fan every new event out into deliveries; return how many events were scanned."""
        total = 0
        with connection():
            while (scanned := outbox.fanout()) > 0:
                total += scanned
        return total

    def sweep_waiting(self, free: bool = False) -> int:
        """Mark what was made due behind its subject's head (waiting.mark_waiting), and with
        `free` also free waiting heads nobody promoted (waiting.free_waiting)."""
        with connection():
            done = waiting.mark_waiting(self.clock())
            return done + (waiting.free_waiting(self.clock()) if free else 0)

    def step(self) -> int:
        """One round: claim, send, settle. Returns how many deliveries it handled."""
        return self.deliver(self.claim())

    def claim(self) -> list[outbox.Chain]:
        """Lease up to `batch_size` subjects, each with up to `chain` deliveries in order."""
        with connection(), self._claiming:
            return outbox.claim(self.clock(), self.lease, self.batch_size, self.chain)

    def deliver(self, chains: list[outbox.Chain]) -> int:
        """Send claimed chains outside any transaction, then settle them in one."""
        if not chains:
            return 0
        with connection():
            endpoints = outbox.active_endpoints()
        round_ = self._send_all(chains, endpoints)
        with connection():
            outbox.settle(round_.settlement, self.clock())
        self._escalate(round_)
        return sum(len(chain) for chain in chains)

    def drain(self, max_rounds: int = 10_000) -> int:
        """Fan out and deliver until nothing is due (tests and benchmarks)."""
        total = 0
        for _ in range(max_rounds):
            self.catch_up()
            self.sweep_waiting(free=True)
            done = self.step()
            total += done
            if done == 0:
                break
        return total

    def _send_all(
        self, chains: list[outbox.Chain], endpoints: dict[int, WebhookEndpoint]
    ) -> _Round:
        started = self.clock()
        lease_end = started + self.lease - dt.timedelta(seconds=self.timeout_s)
        round_ = _Round(outbox.Settlement(), [], set(), {})
        keys = {pk: signing_keys(ep, started) for pk, ep in endpoints.items()}
        settlement = round_.settlement
        for chain in chains:
            sent, failed = self._send_chain(chain, endpoints, keys, lease_end, round_)
            unsent = [item.delivery_id for item in chain[sent:]]
            if not failed and unsent:  # not judged: the first unsent is the head now
                settlement.released.append(unsent.pop(0))
            settlement.waiting += unsent  # behind their head, as before the claim
            settlement.subjects.add((chain[0].endpoint_id, chain[0].subject))
        return round_

    def _send_chain(
        self,
        chain: outbox.Chain,
        endpoints: dict[int, WebhookEndpoint],
        keys: dict[int, list[bytes]],
        lease_end: dt.datetime,
        round_: _Round,
    ) -> tuple[int, bool]:
        """Send a subject's deliveries in order until one fails; return how many were judged
        and whether the last one judged failed (it stays the head)."""
        post = self.sender.post
        for done, item in enumerate(chain):
            endpoint = endpoints.get(item.endpoint_id)
            if endpoint is None or item.endpoint_id in round_.gone or self.clock() > lease_end:
                return done, False
            if item.endpoint_id in round_.down:
                answer = Answer(None, error=round_.down[item.endpoint_id])
            else:
                answer = post(
                    endpoint.url, keys[item.endpoint_id], item.event_id, item.body, int(time.time())
                )
            if answer.ok:
                round_.settlement.delivered.append((item.delivery_id, answer.status or 200))
                continue
            self._judge(item, answer, round_)
            return done + 1, True  # what follows waits behind the failure, unsent
        return len(chain), False

    def _judge(self, item: outbox.Claimed, answer: Answer, round_: _Round) -> None:
        settlement = round_.settlement
        if answer.status == 410:
            round_.gone.add(item.endpoint_id)
            settlement.released.append(item.delivery_id)
            return
        if answer.status is None:
            round_.down[item.endpoint_id] = answer.error
        now = self.clock()
        retry_after = schedule.parse_retry_after(answer.retry_after, now)
        delay = schedule.next_delay(
            item.attempts + 1, retry_after, self.rand, self.retry_schedule_s
        )
        if delay is None:
            round_.dead.append((item.delivery_id, answer.status, answer.error))
            return  # keeps its lease until DeadLetter settles it
        retry_at = now + dt.timedelta(seconds=delay)
        settlement.failed.append((item.delivery_id, answer.status, answer.error, retry_at))

    def _escalate(self, round_: _Round) -> None:
        for delivery_id, status, error in round_.dead:
            self.spine.execute(DeadLetter(delivery_id, status, error), RELAY)
        for endpoint_pk in round_.gone:
            self._pause_gone(endpoint_pk)

    def _pause_gone(self, endpoint_pk: int) -> None:
        with connection():
            endpoint = WebhookEndpoint.get_or_none(WebhookEndpoint.id == endpoint_pk)
        if endpoint is None:
            return
        reason = "the endpoint answered 410 Gone; resume it when the OMS is ready again"
        with contextlib.suppress(Conflict, NotFound):
            self.spine.execute(SetEndpointStatus(endpoint.endpoint_id, "pause", reason), RELAY)
        log.warning("webhook endpoint %s answered 410: paused", endpoint.endpoint_id)
