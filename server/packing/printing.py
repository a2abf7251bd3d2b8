"""Printing labels, outside the transaction: a print job is written with the label's
event, and this service sends it after commit (woken by `package.labelled`, and polling
for jobs left by a restart), retrying with backoff until printed or `print_attempts` run
out. A printer that does not answer shows on the packer's screen (pushed) and in the
devices list (`printer_states`)."""

from __future__ import annotations

import datetime as dt
import logging
import socket
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from devices.zpl_printer import PrinterError, parse_address, send_zpl
from server import writes
from server.db import connection
from server.floor import inputs
from server.floor.sessions import session_at_station
from server.models import Order, Package, PackJob, PrintJob, isoformat, utcnow
from server.packing import labelling
from server.packing.labels.zpl import render_zpl
from server.packing.settings import PackingSettings
from server.packing.stations import printer_address

if TYPE_CHECKING:
    from server.runtime import Runtime

log = logging.getLogger(__name__)
writes.exempt("print_job")  # delivery bookkeeping, like the webhook deliveries

BACKOFF_S = (0.5, 2.0, 5.0, 15.0, 30.0)


@dataclass
class PrinterState:
    availability: str = "offline"  # online: it took a connection or a label lately
    last_seen: Any = None
    last_error: str | None = None


_STATES: dict[str, PrinterState] = {}
_STATES_LOCK = threading.Lock()


def printer_states() -> dict[str, dict[str, Any]]:
    """What this process knows of each printer: for GET /api/v1/devices."""
    with _STATES_LOCK:
        return {
            printer: {
                "availability": s.availability,
                "last_seen": isoformat(s.last_seen),
                "last_error": s.last_error,
            }
            for printer, s in _STATES.items()
        }


def _note(printer: str, ok: bool, error: str | None = None) -> None:
    with _STATES_LOCK:
        state = _STATES.setdefault(printer, PrinterState())
        state.availability = "online" if ok else "offline"
        state.last_error = None if ok else error
        if ok:
            state.last_seen = utcnow()


class PrintService:
    name = "label printing"

    def __init__(self, runtime: Runtime, poll_s: float = 2.0, check_s: float = 15.0) -> None:
        self.runtime = runtime
        self.poll_s = poll_s
        self.check_s = check_s  # how often each printer's port is tried (the devices list)
        self._checked = 0.0
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._due: dict[int, float] = {}  # print job id -> monotonic time of its next try

    @property
    def settings(self) -> PackingSettings:
        return self.runtime.settings.section("packing")

    def wake(self, _events: Any = None) -> None:
        self._wake.set()

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="label-printing", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(self.settings.print_timeout_s + 5)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.print_pending()
                if time.monotonic() - self._checked >= self.check_s:
                    self._checked = time.monotonic()
                    self.check_printers()
            except Exception:
                log.exception("label printing failed; trying again")
            self._wake.wait(self.poll_s)
            self._wake.clear()

    def check_printers(self) -> None:
        """Is each configured printer's port open? (A connection that sends nothing prints
        nothing.) For the devices list and the station's home screen."""
        for device in self.runtime.settings.section("devices"):
            if device.kind != "printer":
                continue
            if not device.address:
                _note(device.id, False, "no address in [[devices]]")
                continue
            try:
                host, port = parse_address(device.address)
                with socket.create_connection((host, port), timeout=1.0):
                    pass
            except (OSError, ValueError) as exc:
                _note(device.id, False, str(exc))
            else:
                _note(device.id, True)

    def print_pending(self) -> int:
        """Send every pending job that is due and that this process claims; how many were
        printed. A claim left `sending` by a process that died mid-send is taken over once
        it is older than a send could take (that label may come out twice, never not)."""
        stale = utcnow() - dt.timedelta(seconds=self.settings.print_timeout_s * 2 + 30)
        with connection():
            pending = list(
                PrintJob.select()
                .where(
                    (PrintJob.status == "pending")
                    | ((PrintJob.status == "sending") & (PrintJob.claimed_at < stale))
                )
                .order_by(PrintJob.id)
            )
        printed = 0
        now = time.monotonic()
        for job in pending:
            if self._stop.is_set():
                break
            if self._due.get(job.id, 0.0) <= now and self._claim(job, stale):
                printed += self._send(job)
        return printed

    def _claim(self, job: PrintJob, stale: dt.datetime) -> bool:
        """Whether this process won the job (another may be printing it right now)."""
        with connection():
            return bool(
                PrintJob.update(status="sending", claimed_at=utcnow())
                .where(
                    PrintJob.id == job.id,
                    (PrintJob.status == "pending")
                    | ((PrintJob.status == "sending") & (PrintJob.claimed_at < stale)),
                )
                .execute()
            )

    def _send(self, job: PrintJob) -> int:
        settings = self.settings
        address = printer_address(self.runtime.settings, job.printer)
        if address is None:
            self._failed(job, f"printer {job.printer} has no address in [[devices]]")
            return 0
        try:
            with connection():
                zpl = self._zpl(job, settings)
            send_zpl(zpl, parse_address(address), timeout=settings.print_timeout_s)
        except (PrinterError, OSError, ValueError) as exc:
            self._failed(job, str(exc))
            return 0
        with connection():
            PrintJob.update(status="printed", printed_at=utcnow(), attempts=job.attempts + 1).where(
                PrintJob.id == job.id
            ).execute()
        self._due.pop(job.id, None)
        _note(job.printer, True)
        self._refresh(job)
        return 1

    def _zpl(self, job: PrintJob, settings: PackingSettings) -> str:
        package = Package.get_by_id(job.package_id)
        order = Order.get_by_id(package.order_id)
        count = (
            Package.select()
            .where(Package.job == package.job_id, Package.status != "voided")
            .count()
        )
        label = labelling.label_of(package, order, count, settings)
        return render_zpl(label, dpi=settings.label_dpi)

    def _failed(self, job: PrintJob, error: str) -> None:
        attempts = job.attempts + 1
        gave_up = attempts >= self.settings.print_attempts
        log.warning("label %s to %s failed (%s/%s): %s", job.id, job.printer, attempts,
                    self.settings.print_attempts, error)  # fmt: skip
        with connection():
            PrintJob.update(
                attempts=attempts,
                last_error=error[:300],
                status="failed" if gave_up else "pending",
            ).where(PrintJob.id == job.id).execute()
        self._due[job.id] = time.monotonic() + BACKOFF_S[min(attempts - 1, len(BACKOFF_S) - 1)]
        _note(job.printer, False, error)
        self._refresh(job)

    def _refresh(self, job: PrintJob) -> None:
        """The packer sees at once whether the label came out."""
        with connection():
            package = Package.get_or_none(Package.id == job.package_id)
            pack = PackJob.get_or_none(PackJob.id == package.job_id) if package else None
            session = session_at_station(pack.station) if pack and pack.station else None
        if session is not None:
            inputs.refresh(self.runtime.spine, [session])
