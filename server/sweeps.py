"""A periodic sweep: a background service of `floorlink serve` that runs one spine command
every so often (units dwelling in the return zone, dock doors left open, ...). One class,
so that every sweep starts, stops, survives its own failures and logs the same way; an
area declares its sweep in its `services` (server/area.py).

A sweep's command must be idempotent (a second run in a row changes nothing): it raises
an exception once per subject and resolves it when the cause is gone, so a sweep run
twice, or by two processes, is harmless. With several `floorlink serve` processes on one
PostgreSQL database a sweep still runs in one of them at a time (server/leases.py): the
others skip their turns until the holder is gone.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from server.leases import Lease
from server.spine import Actor

if TYPE_CHECKING:
    from server.runtime import Runtime

log = logging.getLogger(__name__)


class Sweep:
    """Run `command()` through the spine as `actor` every `every()` seconds (read at each
    turn, so a changed setting applies without a restart)."""

    def __init__(
        self,
        runtime: Runtime,
        name: str,
        every: Callable[[], float],
        command: Callable[[], Any],
        actor: Actor,
    ) -> None:
        self.runtime = runtime
        self.name = name
        self.every = every
        self.command = command
        self.actor = actor
        self.lease = Lease(name)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None
        self.lease.release()

    def _run(self) -> None:
        while not self._stop.wait(self.every()):
            self.run_once()

    def run_once(self) -> Any:
        """One turn: the command's result, or None when it failed (logged; the next turn
        tries again, or when another process runs this sweep)."""
        if not self.lease.held():
            return None
        try:
            return self.runtime.spine.execute(self.command(), self.actor).result
        except Exception:
            log.exception("the %s failed; trying again in %.0f s", self.name, self.every())
            return None
        finally:
            if self._thread is None:  # a turn run by hand (not started): no lease kept
                self.lease.release()
