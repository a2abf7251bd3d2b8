"""The faults of the campaign and their schedule.

A round causes each fault once while the workload runs: kill -9 of the server, the relay,
each bridge and the broker, a PostgreSQL restart (on PostgreSQL), and the webhook receiver
answering 500, timing out, gone for a moment and (full rounds only) gone for `OUTAGE_S`.
Each fault lasts its `hold` (`HOLD_S` but the long outage), then its part is started
again and the schedule waits until the part is back (the server answers its health check,
the relay and the bridges log that they run, the broker listens) and until every client
has been answered again twice: the floor resumed. The receiver's faults come apart from
one another, each after every delivery that failed before has been delivered: a short one
fails a delivery at most once (its retry is the schedule's first, 5 s); the long outage
fails each subject's head again on every retry of the relay's backoff
(campaign.RETRY_SCHEDULE_S) until the receiver is back. How long after its return the
receiver had everything it was owed is the window's `caught_up`.

Each fault leaves a `Window`: a 5xx answer is a fault of the product unless it came while
a process that answers requests (the server, its database) was down or just back.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

import peewee

from server.db import connection
from server.models import Event, WebhookDelivery, WebhookEndpoint
from server.models.sync import DeliveryStatus
from tests.faults.ledger import Worker, wait_until

if TYPE_CHECKING:
    from tests.faults.campaign import Site

T = TypeVar("T")
HOLD_S = 0.5  # how long each part stays down (the receiver: below the 5 s first retry)
OUTAGE_S = 40.0  # the receiver gone in full rounds: several of the relay's retries long
RESUMED_WITHIN_S = 90.0
CAUGHT_UP_WITHIN_S = 300.0


@dataclass
class Window:
    fault: str
    start: float
    end: float  # the part is back
    serving: bool  # requests to the server could fail meanwhile
    caught_up: float | None = None  # the receiver's faults: all it was owed, s after `end`


class Fault:
    name = ""
    serving = False  # the server cannot answer while it lasts
    hold = HOLD_S  # how long it lasts

    def watch(self, site: Site, window: Window) -> None:
        """Once the part is back: follow what the fault left to catch up on."""

    def ready(self, site: Site) -> None:
        """Wait for what the fault needs before it starts."""

    def inject(self, site: Site) -> None:
        raise NotImplementedError

    def recover(self, site: Site) -> None:
        raise NotImplementedError


class ServerKill(Fault):
    name, serving = "kill -9 floorlink serve", True

    def inject(self, site: Site) -> None:
        site.availability.down("server")
        site.serve.kill()

    def recover(self, site: Site) -> None:
        site.serve.start().wait_healthy()
        site.availability.back("server")


class RelayKill(Fault):
    name = "kill -9 floorlink relay"

    def inject(self, site: Site) -> None:
        site.relay.kill()

    def recover(self, site: Site) -> None:
        site.relay.start()


class BridgeKill(Fault):
    def __init__(self, index: int) -> None:
        self.index = index
        self.name = f"kill -9 bridge edge-{index + 1}"

    def inject(self, site: Site) -> None:
        bridge = site.bridges[self.index]
        site.availability.down(bridge.name)
        bridge.kill()

    def recover(self, site: Site) -> None:
        bridge = site.bridges[self.index].start()
        site.availability.back(bridge.name)


class BrokerKill(Fault):
    name = "kill -9 mosquitto"

    def inject(self, site: Site) -> None:
        site.broker.kill()

    def recover(self, site: Site) -> None:
        site.broker.start()


class PostgresRestart(Fault):
    name, serving = "PostgreSQL restart (immediate stop)", True

    def inject(self, site: Site) -> None:
        assert site.postgres is not None
        site.availability.down("postgres")
        site.postgres.stop("immediate")

    def recover(self, site: Site) -> None:
        assert site.postgres is not None
        site.postgres.start()
        site.availability.back("postgres")


def retries_pending() -> int:
    """Deliveries that failed and wait for their retry."""
    with connection():
        return int(
            WebhookDelivery.select()
            .where(WebhookDelivery.status == DeliveryStatus.PENDING, WebhookDelivery.attempts > 0)
            .count()
        )


def last_position() -> int:
    with connection():
        return int(Event.select(peewee.fn.MAX(Event.position)).scalar() or 0)


def delivered_up_to(endpoint_id: str, position: int) -> bool:
    """Every event up to `position` fanned out to the endpoint and delivered."""
    with connection():
        endpoint = WebhookEndpoint.get(WebhookEndpoint.endpoint_id == endpoint_id)
        owed = WebhookDelivery.select().where(
            WebhookDelivery.endpoint == endpoint,
            WebhookDelivery.event_position <= position,
            WebhookDelivery.status != DeliveryStatus.DELIVERED,
        )
        return bool(endpoint.fanout_position >= position and owed.count() == 0)


def until_answered(ask: Callable[[], T]) -> T:
    """`ask()` again while the database is restarting."""
    deadline = time.monotonic() + RESUMED_WITHIN_S
    while True:
        try:
            return ask()
        except Exception:  # peewee's errors, the driver's on a connection PostgreSQL closed
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


class ReceiverFault(Fault):
    """The webhook receiver answers `mode` ("500", "slow": after the relay's timeout) or
    is gone (`mode` "gone": its port closed, connections refused) for `hold` seconds."""

    def __init__(self, mode: str, name: str, hold: float = HOLD_S) -> None:
        self.mode, self.name, self.hold = mode, name, hold

    def ready(self, site: Site) -> None:
        wait_until(lambda: retries_pending() == 0, CAUGHT_UP_WITHIN_S,
                   "the failed deliveries delivered", 0.2)  # fmt: skip

    def watch(self, site: Site, window: Window) -> None:
        """In the background (the schedule goes on): when every event committed before the
        receiver was back had been delivered to it."""
        top = until_answered(last_position)

        def follow() -> None:
            deadline = window.end + CAUGHT_UP_WITHIN_S
            with contextlib.suppress(Exception):  # not known: the table says so
                while time.monotonic() < deadline and not site.over.is_set():
                    if until_answered(lambda: delivered_up_to(site.endpoint_id, top)):
                        window.caught_up = time.monotonic() - window.end
                        return
                    site.over.wait(0.1)

        threading.Thread(target=follow, name=f"watch {self.name}", daemon=True).start()

    def inject(self, site: Site) -> None:
        if self.mode == "gone":
            site.receiver.go_away()
        site.receiver_mode = self.mode

    def recover(self, site: Site) -> None:
        site.receiver_mode = "ok"
        if self.mode == "gone":
            site.receiver.come_back()


def one_round(bridges: int, postgres: bool, short: bool = False) -> list[Fault]:
    """Every fault once, the receiver's apart from one another. `short` (`make test`): the
    server, one bridge, the broker, the receiver answering 500 and gone for a moment,
    PostgreSQL; not the relay (its kill -9 is tests/sync/test_relay_kill9.py's), the
    receiver's timeout or long outage, or the second bridge. Its order puts the server's
    restart between the receiver's faults and the other kills after them, so that the
    5 s retries run while the schedule goes on, not while it waits."""
    receiver_500 = ReceiverFault("500", "webhook receiver answers 500")
    gone = ReceiverFault("gone", "webhook receiver gone (port closed)")
    outage = ReceiverFault("gone", f"webhook receiver gone {OUTAGE_S:.0f} s (connection refused)",
                           OUTAGE_S)  # fmt: skip
    postgres_restart: list[Fault] = [PostgresRestart()] if postgres else []
    if short:
        return [receiver_500, ServerKill(), gone, *postgres_restart, BridgeKill(0), BrokerKill()]
    return [
        ServerKill(),
        receiver_500,
        RelayKill(),
        *postgres_restart,
        ReceiverFault("slow", "webhook receiver times out"),
        *(BridgeKill(i) for i in range(bridges)),
        gone,
        BrokerKill(),
        outage,
    ]


def resumed(workers: Sequence[Worker], fault: str) -> None:
    """Every client answered twice more since now (and none has failed)."""
    marks = {w.name: w.acked for w in workers}

    def progressed() -> bool:
        failed = [w.failure for w in workers if w.failure]
        assert not failed, "\n".join(failed)  # type: ignore[arg-type]
        return all(w.acked >= marks[w.name] + 2 for w in workers)

    stalled = lambda: [w.name for w in workers if w.acked < marks[w.name] + 2]  # noqa: E731
    try:
        wait_until(progressed, RESUMED_WITHIN_S, f"the workload after {fault}", 0.1)
    except AssertionError as exc:
        raise AssertionError(f"{exc}; still waiting: {stalled()}") from None


def run(site: Site, rounds: int, workers: Sequence[Worker]) -> list[Window]:
    """`rounds` full rounds; 0: one short round."""
    windows: list[Window] = []
    for _ in range(max(rounds, 1)):
        for fault in one_round(len(site.bridges), site.postgres is not None, rounds == 0):
            fault.ready(site)
            start = time.monotonic()
            fault.inject(site)
            time.sleep(fault.hold)
            fault.recover(site)
            window = Window(fault.name, start, time.monotonic(), fault.serving)
            windows.append(window)
            fault.watch(site, window)
            resumed(workers, fault.name)
    return windows
