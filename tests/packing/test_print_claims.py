"""Each label is printed once, however many server processes run the print service: a
process claims a job before it sends it; a claim left by a process that died mid-send is
taken over once it is older than a send could take."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

from flask import Flask

from devices.virtual_printer import VirtualPrinter
from server.db import database as db_proxy
from server.models import PrintJob, utcnow
from server.packing.printing import PrintService
from tests.floor.conftest import Kiosk
from tests.packing.test_tracking_and_boxes import pack


def test_two_print_services_print_a_label_once(
    picked: Callable[..., str],
    packer: Kiosk,
    scale: Callable[..., None],
    printer: VirtualPrinter,
    app: Flask,
) -> None:
    picked("WEB-1", MUG=2, PEN=1)
    sscc = pack(packer, scale)  # labelled: its print job waits for the service
    runtime = app.extensions["floorlink"]
    services = [PrintService(runtime), PrintService(runtime)]  # as in two processes
    start, printed = threading.Barrier(2), []

    def run(service: PrintService) -> None:
        start.wait()
        printed.append(service.print_pending())

    threads = [threading.Thread(target=run, args=(s,)) for s in services]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sorted(printed) == [0, 1]
    (label,) = printer.wait_for_labels(1, timeout=5)
    assert f">;>800{sscc}".encode() in label.data
    assert services[0].print_pending() + services[1].print_pending() == 0
    assert len(printer.labels) == 1
    with db_proxy.connection_context():
        assert [j.status for j in PrintJob.select()] == ["printed"]


def test_a_claim_left_by_a_dead_process_is_taken_over_once_stale(
    picked: Callable[..., str],
    packer: Kiosk,
    scale: Callable[..., None],
    printer: VirtualPrinter,
    app: Flask,
) -> None:
    picked("WEB-1", MUG=2, PEN=1)
    pack(packer, scale)
    service = PrintService(app.extensions["floorlink"])
    with db_proxy.connection_context():  # another process claimed it a moment ago
        PrintJob.update(status="sending", claimed_at=utcnow()).execute()
    assert service.print_pending() == 0
    with db_proxy.connection_context():  # ... and died mid-send, long ago
        PrintJob.update(claimed_at=utcnow() - dt.timedelta(minutes=5)).execute()
    assert service.print_pending() == 1
    assert len(printer.wait_for_labels(1, timeout=5)) == 1
