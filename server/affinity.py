"""Run the server's worker on one CPU.

The worker is one Python process: one thread runs Python at a time (the GIL). Every
SQLite statement, socket read and write releases the GIL; on a machine with several CPUs
each release wakes a waiting thread on another CPU and the releasing thread sleeps to get
it back, so under load the process spent a third of its CPU in the kernel handing the GIL
between CPUs. Kept on one CPU, the hand-over is a switch on that CPU: the same floor load
took 30 % less CPU per scan and the saturated rate rose from ~520 to ~740 scans/s
(docs/performance.md, "Picking"). Other processes (the database, the broker) keep the
other CPUs.

`server.cpu`: "auto" (the last CPU the process may use, when it may use more than one),
"off" (the OS schedules the threads), or a CPU number.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Set

log = logging.getLogger(__name__)


class CpuSettingError(ValueError):
    pass


def choose_cpu(setting: str | int, allowed: Set[int]) -> int | None:
    """The CPU to pin the worker to, or None to leave it to the OS."""
    if setting == "off":
        return None
    if not allowed:
        if isinstance(setting, int):
            log.warning("server.cpu = %d ignored: this OS does not let a process choose", setting)
        return None
    if setting == "auto":
        return max(allowed) if len(allowed) > 1 else None
    if isinstance(setting, int) and setting in allowed:
        return setting
    cpus = ", ".join(str(c) for c in sorted(allowed))
    raise CpuSettingError(f"server.cpu = {setting!r}: this process may run on CPUs {cpus} only")


def allowed_cpus() -> set[int]:
    """The CPUs this process may run on (empty where the OS does not say)."""
    getter = getattr(os, "sched_getaffinity", None)
    return set(getter(0)) if getter else set()


def pin_process(cpu: int) -> bool:
    """Keep every thread of this process, and those it starts later, on `cpu` (Linux).

    A CPU the process may no longer use (a cpuset shrunk since the server started) or no
    /proc leaves the worker unpinned with a warning: a scheduling preference must never
    stop the server. Returns whether the process is pinned.
    """
    pinned: set[int] = set()
    try:
        while True:  # a thread started during a pass is pinned by the next one
            threads = {int(tid) for tid in os.listdir("/proc/self/task")} - pinned
            if not threads:
                break
            for tid in threads:
                with contextlib.suppress(ProcessLookupError):  # the thread ended meanwhile
                    os.sched_setaffinity(tid, {cpu})
                pinned.add(tid)
    except OSError as exc:
        log.warning(
            "worker %d not pinned to CPU %d (%s): the OS schedules it", os.getpid(), cpu, exc
        )
        _unpin(pinned)
        return False
    log.info("worker %d runs on CPU %d (server.cpu)", os.getpid(), cpu)
    return True


def _unpin(threads: set[int]) -> None:
    allowed = allowed_cpus()
    for tid in threads:
        try:
            os.sched_setaffinity(tid, allowed)
        except OSError:
            continue
