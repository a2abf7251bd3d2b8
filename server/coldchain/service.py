"""The cold-chain watcher, a service of `floorlink serve`: every `check_interval_s` it reads
the probes' last readings from the device registry (their retained state `{"celsius"}`, or
their last `temperature` event), and when a probe has news (a new reading) or a clock of
the rules ran out (grace, expire_after) it runs ONE command for all of them
(server/coldchain/watch.py). Between looks it keeps what the last command answered, so a
quiet floor costs one registry read per interval and no transaction. Old readings are
pruned once an hour (`retention_days`)."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from typing import TYPE_CHECKING, Any

from server.coldchain import rules
from server.coldchain.watch import CheckProbes, Look, PruneReadings, Watched
from server.db import connection
from server.leases import Lease
from server.models import HardwareDevice, utcnow
from server.models.coldchain import ProbeStatus
from server.spine import Actor

if TYPE_CHECKING:
    from server.runtime import Runtime

log = logging.getLogger(__name__)
WATCHER = Actor("system", "coldchain")
PRUNE_EVERY_S = 3600.0


def reading_of(row: HardwareDevice | None) -> tuple[float | None, dt.datetime | None]:
    """A probe's latest reading and when it was heard: its state or its last temperature
    event, the newer."""
    if row is None:
        return None, None
    found: list[tuple[dt.datetime, float]] = []
    state = row.state if isinstance(row.state, dict) else {}
    heard = max((t for t in (row.state_at, row.last_seen) if t is not None), default=None)
    if isinstance(state.get("celsius"), int | float) and heard is not None:
        # the registry keeps a state once per change: a probe publishing the same value
        # again is heard (last_seen) with that value
        found.append((heard, float(state["celsius"])))
    event: dict[str, Any] = row.last_event if isinstance(row.last_event, dict) else {}
    data: dict[str, Any] = event["data"] if isinstance(event.get("data"), dict) else {}
    at = event.get("received_at") or event.get("ts")
    if event.get("type") == "temperature" and isinstance(data.get("celsius"), int | float) and at:
        try:
            when = dt.datetime.fromisoformat(str(at).replace("Z", "+00:00"))
            when = when.astimezone(dt.UTC).replace(tzinfo=None) if when.tzinfo else when
            found.append((when, float(data["celsius"])))
        except ValueError:
            pass
    if not found:
        return None, None
    when, celsius = max(found)
    return celsius, when


class ColdchainWatcher:
    name = "coldchain"

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.kept: dict[str, Watched] = {}
        self.started = utcnow()
        self.lease = Lease("cold-chain watch")
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def settings(self) -> Any:
        return self.runtime.settings.section("coldchain")

    def probes(self) -> dict[str, str]:
        """Configured probes and their location (a probe without one is not watched)."""
        return {
            d.id: d.location
            for d in self.runtime.settings.section("devices")
            if d.kind == "probe" and d.location
        }

    def start(self) -> None:
        if not self.settings.enabled or not self.probes():
            return
        self.started = utcnow()
        with connection():
            for row in ProbeStatus.select():
                self.kept[row.probe_id] = Watched(
                    rules.Seen(row.out_since, bool(row.excursion), bool(row.stale)),
                    row.last_reading_at,
                    None,
                    self.settings.grace_s,
                    self.settings.expire_after_s,
                )
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="coldchain", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None
        self.lease.release()

    def _run(self) -> None:
        last_prune = 0.0
        force = True  # the first look computes every probe's range
        leading = True
        while not self._stop.wait(0 if force and leading else self.settings.check_interval_s):
            # one process of a site watches (server/leases.py); one taking over looks at all
            leading = self.lease.held()
            if not leading:
                force = True
                continue
            try:
                self.look(force)
                force = False
                if time.monotonic() - last_prune > PRUNE_EVERY_S:
                    last_prune = time.monotonic()
                    self.prune()
            except Exception:
                log.exception("cold-chain look failed")

    def look(self, force: bool = False) -> dict[str, Watched]:
        """One look at every probe; runs the command only for those with news."""
        probes = self.probes()
        now = utcnow()
        with connection():
            rows = {
                r.id: r for r in HardwareDevice.select().where(HardwareDevice.id.in_(list(probes)))
            }
        looks = []
        for probe_id, location in sorted(probes.items()):
            celsius, read_at = reading_of(rows.get(probe_id))
            # never heard: it is stale counting from the watcher's start
            read_at_for_rules = self.started if read_at is None else read_at
            kept = self.kept.get(probe_id)
            if force or kept is None:
                looks.append(Look(probe_id, location, celsius, read_at))
                continue
            news = read_at is not None and (
                kept.last_reading_at is None or read_at > kept.last_reading_at
            )
            decision = rules.decide(
                kept.seen,
                celsius,
                read_at_for_rules,
                now,
                kept.range,
                kept.grace_s,
                kept.expire_after_s,
            )
            if news or decision.changes:
                looks.append(Look(probe_id, location, celsius, read_at or None))
        if not looks:
            return {}
        command = CheckProbes(tuple(looks), now, self.started)
        outcome = self.runtime.spine.execute(command, WATCHER)
        watched: dict[str, Watched] = outcome.result["watched"]
        self.kept.update(watched)
        return watched

    def prune(self) -> None:
        before = utcnow() - dt.timedelta(days=self.settings.retention_days)
        self.runtime.spine.execute(PruneReadings(before), WATCHER)
