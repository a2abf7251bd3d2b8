import os
import time
from collections.abc import Iterator

import pytest

from devices.framing import LineFramer, Overflow
from devices.pseudo_terminal import PseudoTerminal
from devices.serial_link import Backoff
from devices.serial_scanner import (
    ScannerConfig,
    SerialScannerReader,
)
from tests.devices.recorder import DeviceRecorder


@pytest.fixture
def scanner(serial_pty) -> Iterator[tuple[PseudoTerminal, DeviceRecorder, SerialScannerReader]]:
    device = serial_pty("scanner-1")
    recorder = DeviceRecorder()
    config = ScannerConfig(id="scanner-1", port=device.path, station="PACK-01")
    reader = SerialScannerReader(
        config,
        recorder.on_scan,
        recorder.on_error,
        recorder.on_status,
        backoff=Backoff(0.05, 0.2),
    )
    reader.start()
    recorder.wait(lambda: recorder.statuses == ["online"])
    yield device, recorder, reader
    reader.stop()
    assert not reader.is_alive()


def test_a_scan_arrives_decoded_with_a_stable_id(scanner) -> None:
    device, recorder, _ = scanner
    device.write(b"]E04006381333931\r")
    recorder.wait(lambda: len(recorder.scans) == 1)
    event = recorder.scans[0]
    assert event.scan.gtin == "04006381333931"
    assert event.scan.symbology == "]E0"
    assert (event.scanner_id, event.station, event.seq) == ("scanner-1", "PACK-01", 1)
    assert event.event_id == f"scanner-1:{event.session}:1"


def test_scans_split_across_chunks_and_batched_in_one_chunk(scanner) -> None:
    device, recorder, _ = scanner
    device.write(b"TOTE-")
    time.sleep(0.05)
    device.write(b"0001\rA-01-02-1\r]C10109501101530003\x1d10LOT\r")
    recorder.wait(lambda: len(recorder.scans) == 3)
    assert [e.scan.text for e in recorder.scans] == [
        "TOTE-0001",
        "A-01-02-1",
        "0109501101530003\x1d10LOT",
    ]
    assert [e.seq for e in recorder.scans] == [1, 2, 3]


def test_garbage_never_stops_the_reader_nor_becomes_a_scan(scanner) -> None:
    device, recorder, reader = scanner
    device.write(b"\xff\xfe\x80\x81\x00\x7f\r")  # wrong-baud noise
    device.write(b"\x00\x00\x00\r")
    device.write(os.urandom(4096).replace(b"\r", b"") + b"\r")
    device.write(b"X" * 65536)  # 64 KB without a terminator
    device.write(b"\r4006381333932\r")  # bad check digit
    device.write(b"4006381333931\r")
    recorder.wait(lambda: len(recorder.scans) == 1)
    assert recorder.scans[0].scan.gtin == "04006381333931"
    messages = [e.error.message for e in recorder.errors]
    assert any(m.startswith("Not text") or m.startswith("Unreadable") for m in messages)
    assert "Line longer than 512 bytes dropped" in messages
    assert "Bad check digit in GTIN 4006381333932: expected 1" in messages
    assert reader.is_alive()


def test_unplug_goes_offline_and_replug_comes_back(scanner) -> None:
    device, recorder, _ = scanner
    device.unplug()
    recorder.wait(lambda: recorder.statuses[-1] == "offline")
    time.sleep(0.3)  # a few failed reopen attempts while unplugged
    device.replug()
    recorder.wait(lambda: recorder.statuses[-1] == "online")
    assert recorder.statuses == ["online", "offline", "online"]
    device.write(b"TOTE-0002\r")
    recorder.wait(lambda: len(recorder.scans) == 1)
    assert recorder.scans[0].scan.text == "TOTE-0002"


def test_a_new_connection_starts_a_new_session(scanner) -> None:
    device, recorder, _ = scanner
    device.write(b"TOTE-0001\r")
    recorder.wait(lambda: len(recorder.scans) == 1)
    device.unplug()
    recorder.wait(lambda: recorder.statuses[-1] == "offline")
    device.replug()
    recorder.wait(lambda: recorder.statuses[-1] == "online")
    device.write(b"TOTE-0001\r")
    recorder.wait(lambda: len(recorder.scans) == 2)
    first, second = recorder.scans
    assert first.session != second.session
    assert first.event_id != second.event_id


def test_a_missing_port_is_offline_until_it_appears(tmp_path) -> None:
    link = tmp_path / "by-id" / "usb-late-scanner"
    recorder = DeviceRecorder()
    config = ScannerConfig(id="late", port=str(link))
    reader = SerialScannerReader(
        config, recorder.on_scan, None, recorder.on_status, Backoff(0.05, 0.1)
    )
    reader.start()
    try:
        recorder.wait(lambda: recorder.statuses == ["offline"])
        device = PseudoTerminal(link)
        try:
            recorder.wait(lambda: recorder.statuses == ["offline", "online"])
            device.write(b"LATE-1\r")
            recorder.wait(lambda: len(recorder.scans) == 1)
        finally:
            device.close()
    finally:
        reader.stop()


def test_a_second_reader_of_one_port_stands_by_and_takes_over(scanner) -> None:
    """Two readers of one tty (two processes of a host with the same config) would split
    its lines between them: the port's lock lets one read, the other waits for it."""
    device, first_seen, first = scanner
    seen = DeviceRecorder()
    config = ScannerConfig(id="scanner-1", port=device.path, station="PACK-01")
    second = SerialScannerReader(
        config, seen.on_scan, seen.on_error, seen.on_status, Backoff(0.05, 0.2)
    )
    second.start()
    try:
        seen.wait(lambda: seen.statuses == ["offline"])
        assert second.held_elsewhere and not first.held_elsewhere
        for byte in b"4006381333931\r":  # a byte at a time: one reader gets them all
            device.write(bytes([byte]))
            time.sleep(0.002)
        first_seen.wait(lambda: len(first_seen.scans) == 1)
        first.stop()  # the lock goes with the port
        seen.wait(lambda: seen.statuses == ["offline", "online"])
        assert not second.held_elsewhere
        device.write(b"96385074\r")
        seen.wait(lambda: len(seen.scans) == 1)
        assert (first_seen.errors, seen.errors) == ([], [])
    finally:
        second.stop()


def test_stop_joins_promptly(scanner) -> None:
    _, _, reader = scanner
    started = time.monotonic()
    reader.stop()
    assert not reader.is_alive()
    assert time.monotonic() - started < 0.5


@pytest.mark.parametrize(
    ("terminator", "stream", "lines"),
    [
        ("CR", b"A\rB\r", [b"A", b"B"]),
        ("CR", b"A\r\nB\r\n", [b"A", b"B"]),
        ("LF", b"A\nB\n", [b"A", b"B"]),
        ("CRLF", b"A\r\nB\r\n", [b"A", b"B"]),
        ("CR", b"A\r\r\rB", [b"A"]),
    ],
)
def test_framing(terminator, stream: bytes, lines: list[bytes]) -> None:
    assert LineFramer(terminator).feed(stream) == lines
    framer = LineFramer(terminator)
    assert [line for b in stream for line in framer.feed(bytes([b]))] == lines


def test_framing_bounds_memory_and_reports_an_overflow_once() -> None:
    framer = LineFramer("CR", max_line=16)
    out = []
    for _ in range(1000):
        out += framer.feed(b"x" * 64)
    assert out == [Overflow(b"x" * 32, 16)]
    assert framer.feed(b"tail\rOK\r") == [b"OK"]
