"""devices/zpl_printer.py sending to devices/virtual_printer.py over real loopback TCP."""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import pytest

from devices.simulate import Simulator, SimulatorConfig, build_parser
from devices.virtual_printer import VirtualPrinter
from devices.zpl_printer import (
    PrinterRefused,
    PrinterTimeout,
    PrinterUnreachable,
    ZplPrinter,
    parse_address,
    send_zpl,
)
from server.packing.labels.zpl import render_zpl
from tests.fixtures.mosquitto import mosquitto, mosquitto_session  # noqa: F401
from tests.packing.labels_sample import LABEL, SSCC, decode, label, render_zpl_images


@pytest.fixture
def printer(tmp_path: Path):
    with VirtualPrinter("127.0.0.1", 0, directory=tmp_path / "labels") as printer:
        yield printer


def test_the_printer_receives_exactly_what_was_sent(printer: VirtualPrinter) -> None:
    first = render_zpl(label(package_number=1))
    second = render_zpl(label(package_number=2))
    before = time.time()
    assert ZplPrinter(*printer.address).send(first + second) == len((first + second).encode())
    send_zpl(first.encode(), printer.address)
    jobs = printer.wait_for_jobs(2)
    assert [job.data for job in jobs] == [(first + second).encode(), first.encode()]
    labels = printer.wait_for_labels(3)
    assert [received.data.decode() for received in labels] == [
        first.rstrip("\n"),
        second.rstrip("\n"),
        first.rstrip("\n"),
    ]
    assert [received.job for received in labels] == [1, 1, 2]
    assert before <= labels[0].at <= labels[1].at <= labels[2].at <= time.time()
    files = sorted((printer.directory or Path()).iterdir())
    assert [f.name for f in files] == ["label-00001.zpl", "label-00002.zpl", "label-00003.zpl"]
    assert files[1].read_bytes() == labels[1].data


def test_a_received_label_renders_and_scans(printer: VirtualPrinter) -> None:
    send_zpl(render_zpl(LABEL), printer.address)
    [received] = printer.wait_for_labels(1)
    [image] = render_zpl_images(received.data)
    assert decode(image) == [("]C1", f"(00){SSCC}")]


def test_a_large_job_arrives_whole(printer: VirtualPrinter) -> None:
    one = render_zpl(LABEL).encode()
    job = one * 2000  # ~3 MB, many reads
    send_zpl(job, printer.address, timeout=10)
    assert printer.wait_for_jobs(1)[0].data == job
    assert len(printer.wait_for_labels(2000)) == 2000


def test_a_printer_that_is_off_refuses_at_once(printer: VirtualPrinter) -> None:
    printer.power_off()
    started = time.monotonic()
    with pytest.raises(PrinterRefused, match=r"printer 127\.0\.0\.1:\d+: connection refused"):
        send_zpl(render_zpl(LABEL), printer.address, timeout=2)
    assert time.monotonic() - started < 1
    printer.power_on()
    send_zpl(render_zpl(LABEL), printer.address)
    assert len(printer.wait_for_labels(1)) == 1


def test_a_printer_that_does_not_answer_times_out(printer: VirtualPrinter) -> None:
    printer.hang()
    for _ in range(2):
        started = time.monotonic()
        with pytest.raises(PrinterTimeout, match=r"no answer within 0\.5 s"):
            send_zpl(render_zpl(LABEL), printer.address, timeout=0.5)
        assert 0.4 < time.monotonic() - started < 1.5
    assert printer.labels == []
    printer.power_on()
    send_zpl(render_zpl(LABEL), printer.address)
    assert len(printer.wait_for_labels(1)) == 1


def test_a_printer_that_stops_reading_mid_job_times_out_the_send() -> None:
    """Connected, but nothing reads: once the kernel's buffers are full, sendall gives up
    at the job's deadline (the 60 MB job is built before the clock starts: on a loaded
    machine building it took seconds)."""
    job = b"^XA" + b"^FX" * 20_000_000 + b"^XZ"
    with socket.create_server(("127.0.0.1", 0)) as listener:
        accepted: list[socket.socket] = []
        taker = threading.Thread(target=lambda: accepted.append(listener.accept()[0]))
        taker.start()
        try:
            started = time.monotonic()
            with pytest.raises(PrinterTimeout, match=r"no answer within 1 s"):
                send_zpl(job, listener.getsockname(), timeout=1)
            assert 0.9 < time.monotonic() - started < 3
        finally:
            taker.join(1)
            for conn in accepted:
                conn.close()


def test_an_unknown_host_is_unreachable() -> None:
    with pytest.raises(PrinterUnreachable, match="unknown host"):
        send_zpl("^XA^XZ", ("printer.invalid", 9100), timeout=2)


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("10.0.0.7:9100", ("10.0.0.7", 9100)),
        ("zebra-01", ("zebra-01", 9100)),
        (":0", ("127.0.0.1", 0)),
        ("[::1]:9101", ("::1", 9101)),
    ],
)
def test_printer_addresses(text: str, address: tuple[str, int]) -> None:
    assert parse_address(text) == address


def test_a_bad_address() -> None:
    with pytest.raises(ValueError, match="host:port"):
        parse_address("printer:ninety")


def test_the_simulator_runs_virtual_printers(
    mosquitto,  # noqa: F811
    tmp_path: Path,
) -> None:
    args = build_parser().parse_args(["--printer", "127.0.0.1:0", "--printer-dir", str(tmp_path)])
    assert args.printers == ["127.0.0.1:0"]
    config = SimulatorConfig(
        mqtt_url=mosquitto.url,
        site="printers",
        scanners=0,
        scales=0,
        printers=("127.0.0.1:0", ":0"),
        printer_dir=tmp_path,
    )
    simulator = Simulator(config)
    simulator.start()
    try:
        addresses = simulator.printer_addresses()
        assert list(addresses) == ["printer-1", "printer-2"]
        assert addresses["printer-1"] != addresses["printer-2"]
        target = ZplPrinter.at(addresses["printer-2"], timeout=2)
        target.send(render_zpl(LABEL))
        simulator.printers["printer-2"].wait_for_labels(1)
        assert os.listdir(tmp_path / "printer-2") == ["label-00001.zpl"]
        simulator.play(["printer", "printer-2", "off"])
        with pytest.raises(PrinterRefused):
            target.send(render_zpl(LABEL))
        simulator.play(["printer", "printer-2", "on"])
        target.send(render_zpl(LABEL))
        simulator.printers["printer-2"].wait_for_labels(2)
    finally:
        simulator.stop()
