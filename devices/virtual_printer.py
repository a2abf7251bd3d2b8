"""A virtual ZPL printer for demos and tests: a raw TCP listener that keeps what it gets.

Every connection is a job (:class:`Job`, its bytes and when it ended), taken one at a
time in the order they connected, as a real printer's one print engine does (the next
waits, its bytes in the kernel's buffers); every ``^XA`` ... ``^XZ`` in it is a label (:class:`ReceivedLabel`, kept as it arrives, in order, and
written to ``directory`` as ``label-00001.zpl`` ... when one is given). Port 0 takes a
free port (``address`` says which). A printer can be switched off (:meth:`power_off`: the
listener is closed, a job is refused) or hung (:meth:`hang`: the port stays open but
nothing is accepted or read, so a job times out), and back on (:meth:`power_on`).
"""

from __future__ import annotations

import contextlib
import logging
import re
import select
import socket
import socketserver
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, TypeVar

logger = logging.getLogger(__name__)

LABEL_START = re.compile(rb"\^XA", re.IGNORECASE)
LABEL_END = re.compile(rb"\^XZ", re.IGNORECASE)
POLL = 0.1
State = Literal["on", "off", "hung"]
T = TypeVar("T")


@dataclass(frozen=True)
class ReceivedLabel:
    """One ``^XA`` ... ``^XZ``: its bytes, when its ``^XZ`` arrived, which job it was in."""

    data: bytes
    at: float
    job: int
    index: int


@dataclass(frozen=True)
class Job:
    """Everything one connection sent, and when the sender closed it."""

    data: bytes
    at: float
    job: int
    peer: tuple[str, int]


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    block_on_close = False
    printer: VirtualPrinter

    def process_request(self, request: Any, client_address: Any) -> None:
        self.printer._accepted(request)  # in the accepting thread: connection order
        super().process_request(request, client_address)


class _Server6(_Server):
    address_family = socket.AF_INET6


class _Handler(socketserver.BaseRequestHandler):
    server: _Server

    def handle(self) -> None:
        printer = self.server.printer
        conn: socket.socket = self.request
        job = printer._turn_of(conn)
        pending, everything = bytearray(), bytearray()
        try:
            while (chunk := printer._read(conn)) is not None:
                everything += chunk
                pending += chunk
                printer._take_labels(pending, len(chunk), job)
        finally:
            printer._closed(conn, job, bytes(everything), self.client_address)


class VirtualPrinter:
    """Listens on `host`:`port` (0: any free port) once started; see the module doc."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        directory: Path | None = None,
        on_label: Callable[[ReceivedLabel], object] | None = None,
    ) -> None:
        self.host, self.port = host, port
        self.directory = directory
        self.on_label = on_label
        self._lock = threading.Condition()
        self._jobs: list[Job] = []
        self._labels: list[ReceivedLabel] = []
        self._open: dict[socket.socket, int] = {}
        self._job_count = 0
        self._turn = 1
        self._reading = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._fillers: list[socket.socket] = []
        self._state: State = "off"

    # -- what it received -------------------------------------------------------------------

    @property
    def address(self) -> tuple[str, int]:
        return self.host, self.port

    @property
    def state(self) -> State:
        return self._state

    @property
    def jobs(self) -> list[Job]:
        with self._lock:
            return list(self._jobs)

    @property
    def labels(self) -> list[ReceivedLabel]:
        """Every label so far, in the order they arrived (jobs one after the other)."""
        with self._lock:
            return list(self._labels)

    def wait_for_labels(self, count: int, timeout: float = 5.0) -> list[ReceivedLabel]:
        """The labels once there are at least `count`; TimeoutError if not within `timeout`."""
        return self._wait(lambda: self._labels, count, timeout, "labels")

    def wait_for_jobs(self, count: int, timeout: float = 5.0) -> list[Job]:
        """The jobs once `count` connections have closed; TimeoutError if not in time."""
        return self._wait(lambda: self._jobs, count, timeout, "jobs")

    def _wait(self, items: Callable[[], list[T]], count: int, timeout: float, what: str) -> list[T]:
        with self._lock:
            if not self._lock.wait_for(lambda: len(items()) >= count, timeout):
                got = len(items())
                raise TimeoutError(f"{got} {what} of {count} within {timeout:g} s")
            return list(items())

    # -- power ------------------------------------------------------------------------------

    def start(self) -> VirtualPrinter:
        """Listen and serve (the printer is on); returns self."""
        return self.power_on()

    def power_on(self) -> VirtualPrinter:
        """Listen again on the same address (after start, off or hang) and read jobs."""
        if self._state == "on":
            return self
        if self._state == "hung" and self._server is not None:
            self._drop_fillers()
            self._server.socket.listen(self._server.request_queue_size)
        else:
            server_class = _Server6 if ":" in self.host else _Server
            self._server = server_class((self.host, self.port), _Handler)
            self._server.printer = self
            host, port = self._server.server_address[:2]
            self.host, self.port = str(host), int(port)
        self._reading.set()
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            args=(POLL,),
            name=f"virtual-printer-{self.port}",
            daemon=True,
        )
        self._thread.start()
        self._state = "on"
        logger.info("virtual printer on %s:%s", self.host, self.port)
        return self

    def power_off(self) -> None:
        """Close the listener and every open connection: jobs are refused."""
        self._stop_serving()
        if self._server is not None:
            self._server.server_close()
            self._server = None
        self._drop_fillers()
        with self._lock:
            for conn in self._open:
                _close(conn)
        self._reading.set()  # hung handlers wake up and find their socket closed
        self._state = "off"

    def hang(self) -> None:
        """Keep the port but accept and read nothing: connecting and sending time out."""
        if self._state != "on" or self._server is None:
            raise RuntimeError(f"a printer that is {self._state} cannot hang")
        self._reading.clear()
        self._stop_serving()
        listener = self._server.socket
        listener.listen(0)
        self._fill_backlog(listener.getsockname())
        self._state = "hung"

    def close(self) -> None:
        self.power_off()

    def __enter__(self) -> VirtualPrinter:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _stop_serving(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None

    def _fill_backlog(self, address: tuple[str, int]) -> None:
        """Queue connections nobody accepts until the kernel drops new SYNs (Linux drops
        them once the accept queue is full, so a client's connect times out)."""
        for _ in range(16):
            filler = socket.socket(socket.AF_INET6 if ":" in address[0] else socket.AF_INET)
            filler.setblocking(False)
            filler.connect_ex(address)
            self._fillers.append(filler)
            if not select.select([], [filler], [], 0.05)[1]:
                return  # this one's SYN was dropped: the queue is full

    def _drop_fillers(self) -> None:
        for filler in self._fillers:
            _close(filler)
        self._fillers.clear()

    # -- the handler's side -----------------------------------------------------------------

    def _accepted(self, conn: socket.socket) -> None:
        with self._lock:
            self._job_count += 1
            self._open[conn] = self._job_count

    def _turn_of(self, conn: socket.socket) -> int:
        """Wait until the jobs accepted before this one are done; its number."""
        with self._lock:
            job = self._open[conn]
            self._lock.wait_for(lambda: self._turn >= job)
            return job

    def _read(self, conn: socket.socket) -> bytes | None:
        """The next chunk, None at the end; never reads while the printer hangs."""
        conn.settimeout(POLL)
        while True:
            if not self._reading.wait(POLL):
                continue
            try:
                chunk = conn.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return None
            return chunk or None

    def _take_labels(self, pending: bytearray, new: int, job: int) -> None:
        """Keep every label `pending` completes (its last `new` bytes just arrived) and
        leave in it what follows the last ``^XZ``; bytes before a ``^XA`` are no label."""
        scan_from = max(0, len(pending) - new - 2)
        while end := LABEL_END.search(pending, scan_from):
            start = LABEL_START.search(pending, 0, end.start())
            if start:
                self._keep(bytes(pending[start.start() : end.end()]), job)
            del pending[: end.end()]
            scan_from = 0

    def _keep(self, data: bytes, job: int) -> None:
        with self._lock:
            label = ReceivedLabel(data, time.time(), job, len(self._labels) + 1)
            self._labels.append(label)
            if self.directory is not None:
                self.directory.mkdir(parents=True, exist_ok=True)
                (self.directory / f"label-{label.index:05d}.zpl").write_bytes(data)
            self._lock.notify_all()
        if self.on_label is not None:
            self.on_label(label)

    def _closed(self, conn: socket.socket, job: int, data: bytes, peer: tuple[str, int]) -> None:
        with self._lock:
            self._open.pop(conn, None)
            self._turn = max(self._turn, job + 1)
            self._lock.notify_all()
            if data:  # a connection that sent nothing (a probe, a filler) is no job
                self._jobs.append(Job(data, time.time(), job, peer[:2]))
                self._lock.notify_all()


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
