"""Pseudo-terminals that stand in for serial devices (simulator, tests, benchmarks).

The device side holds the master; a reader opens the slave through ``path`` — a symlink
when ``link`` is given, as ``/dev/serial/by-id/...`` is. :meth:`unplug` closes both ends
like a USB unplug; :meth:`replug` opens a new pty behind the same symlink.
"""

from __future__ import annotations

import os
import select
import tty
from pathlib import Path


class PseudoTerminal:
    """A raw-mode pty pair; write device output with :meth:`write`, read input with :meth:`read`."""

    def __init__(self, link: Path | None = None) -> None:
        self.link = link
        self._master = -1
        self._slave = -1
        self.replug()

    @property
    def path(self) -> str:
        """What a reader opens: the symlink if any, else the slave's device name."""
        return str(self.link) if self.link else self.slave_name

    @property
    def slave_name(self) -> str:
        return os.ttyname(self._slave)

    @property
    def plugged(self) -> bool:
        return self._master >= 0

    def fileno(self) -> int:
        return self._master

    def write(self, data: bytes) -> None:
        """Write all of ``data`` as the device would send it."""
        view = memoryview(data)
        while view:
            written = os.write(self._master, view)
            view = view[written:]

    def read(self, timeout: float = 0.0, size: int = 65536) -> bytes:
        """Read what the host wrote to the device, waiting up to ``timeout`` seconds."""
        if not self.plugged:
            return b""
        ready, _, _ = select.select([self._master], [], [], timeout)
        if not ready:
            return b""
        try:
            return os.read(self._master, size)
        except OSError:  # EIO: no reader has the slave open
            return b""

    def unplug(self) -> None:
        """Close both ends: a reader of the slave gets an error, as on a USB unplug."""
        for fd in (self._master, self._slave):
            if fd >= 0:
                os.close(fd)
        self._master = self._slave = -1

    def replug(self) -> None:
        """Open a fresh pty (raw mode, no echo) and point the symlink at it."""
        self.unplug()
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)
        tty.setraw(self._master)
        if self.link is not None:
            self.link.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.link.with_name(self.link.name + ".new")
            temporary.unlink(missing_ok=True)
            temporary.symlink_to(self.slave_name)
            os.replace(temporary, self.link)

    def close(self) -> None:
        self.unplug()
        if self.link is not None:
            self.link.unlink(missing_ok=True)
