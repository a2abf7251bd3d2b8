"""A serial port kept open by a thread: open, read in chunks, reconnect with backoff.

:class:`SerialLink` is the shell shared by the scanner and scale readers. It opens any
pyserial URL (a device path, a ``/dev/serial/by-id`` symlink, ``socket://``,
``rfc2217://``), reads whatever is waiting in one call, reports availability transitions
through ``on_status(device_id, "online" | "offline", ts)`` and, when the port fails or
vanishes, retries with capped exponential backoff until it comes back or ``stop()``.

A device port is opened with an exclusive lock (``flock``, pyserial's ``exclusive``): two
readers of one tty would each take some of its bytes and split a scan's line between
them. So where two processes of a host are configured with the same device (the
`floorlink serve` processes of a site share its config), one reads it and the other
waits, ``held_elsewhere``, and takes the port over at its next try once the lock is gone
(the kernel drops it when the holder's process ends, kill -9 included).
"""

from __future__ import annotations

import errno
import logging
import threading
import time
from collections.abc import Callable
from typing import Literal

import serial

logger = logging.getLogger(__name__)

Availability = Literal["online", "offline"]
StatusCallback = Callable[[str, Availability, float], None]
READ_TIMEOUT = 0.1
LOCKED = (errno.EAGAIN, errno.EWOULDBLOCK)


class Backoff:
    """Capped exponential delays: 0.2 s, 0.4 s, ... up to ``maximum``; reset on success."""

    def __init__(self, initial: float = 0.2, maximum: float = 5.0) -> None:
        self.initial = initial
        self.maximum = maximum
        self._next = initial

    def next_delay(self) -> float:
        delay = self._next
        self._next = min(self._next * 2, self.maximum)
        return delay

    def reset(self) -> None:
        self._next = self.initial


class SerialLink(threading.Thread):
    """Base thread: subclasses implement :meth:`on_open`, :meth:`on_data`, :meth:`on_idle`."""

    def __init__(
        self,
        device_id: str,
        url: str,
        baudrate: int,
        on_status: StatusCallback | None = None,
        backoff: Backoff | None = None,
    ) -> None:
        super().__init__(name=f"serial-{device_id}", daemon=True)
        self.device_id = device_id
        self.url = url
        self.baudrate = baudrate
        self._on_status = on_status
        self._backoff = backoff or Backoff()
        self._stopping = threading.Event()
        self._status: Availability | None = None
        self._port: serial.SerialBase | None = None
        self.held_elsewhere = False  # the port is open in another process (its lock)
        self._reported_held = False

    @property
    def status(self) -> Availability | None:
        return self._status

    def stop(self, timeout: float = 2.0) -> None:
        """Ask the thread to finish and wait for it (reads time out every 0.1 s)."""
        self._stopping.set()
        if self.is_alive():
            self.join(timeout)

    def write(self, data: bytes) -> bool:
        """Write to the port if it is open; False when it is not (the device is offline)."""
        port = self._port
        if port is None:
            return False
        try:
            port.write(data)
        except (serial.SerialException, OSError) as exc:
            logger.warning("Write to %s failed: %s", self.device_id, exc)
            return False
        return True

    def run(self) -> None:
        while not self._stopping.is_set():
            port = self._open()
            if port is None:
                self.set_status("offline")
                self._stopping.wait(self._backoff.next_delay())
                continue
            self._backoff.reset()
            self._serve(port)
            if not self._stopping.is_set():
                self.set_status("offline")
                self._stopping.wait(self._backoff.next_delay())

    def _open(self) -> serial.SerialBase | None:
        try:
            port = serial.serial_for_url(
                self.url, baudrate=self.baudrate, timeout=READ_TIMEOUT, exclusive=True
            )
        except (serial.SerialException, OSError, ValueError) as exc:
            held = getattr(exc, "errno", None) in LOCKED
            if held and not self.held_elsewhere:
                logger.info(
                    "%s (%s) is read by another process: standing by", self.device_id, self.url
                )
            elif not held and (self._status != "offline" or self.held_elsewhere):
                logger.warning("Cannot open %s (%s): %s", self.device_id, self.url, exc)
            self.held_elsewhere = held
            return None
        self.held_elsewhere = False
        return port

    def _serve(self, port: serial.SerialBase) -> None:
        self._port = port
        try:
            self.on_open()
            self.set_status("online")
            while not self._stopping.is_set():
                chunk = port.read(port.in_waiting or 1)
                if chunk:
                    self.on_data(chunk)
                else:
                    self.on_idle()
        except (serial.SerialException, OSError) as exc:
            logger.warning("Lost %s (%s): %s", self.device_id, self.url, exc)
        finally:
            self._port = None
            port.close()

    def set_status(self, status: Availability) -> None:
        """Report a transition (repeats are swallowed; offline to offline-held-elsewhere
        and back is one); callback errors are logged."""
        if (status, self.held_elsewhere) == (self._status, self._reported_held):
            return
        self._status, self._reported_held = status, self.held_elsewhere
        logger.info("%s is %s", self.device_id, status)
        if self._on_status is not None:
            call_safely(self._on_status, self.device_id, status, time.time())

    def on_open(self) -> None:
        """Called with the port open, before reading starts (e.g. start a data stream)."""

    def on_data(self, chunk: bytes) -> None:
        """Called with every chunk read."""

    def on_idle(self) -> None:
        """Called when a read timed out without data (about every 0.1 s)."""


def call_safely(callback: Callable[..., object], *args: object) -> None:
    """Run a user callback; an exception in it is logged, never kills the reader."""
    try:
        callback(*args)
    except Exception:
        logger.exception("Device callback %r failed", callback)
