"""Benchmark: decoded scans/s from 20 serial scanners, beside the raw pty line rate.

Run: ``python bench/serial_scans.py [--scanners 20] [--lines 3000]``. Both figures are
measured in the same run on the same pseudo-terminals:

- raw: pyserial chunked reads (``read(in_waiting)``) counting CR-terminated lines, one
  thread per pty — the ceiling of this machine (docs/performance.md, Traps: ~300k
  lines/s on one pty);
- decoded: :class:`devices.serial_scanner.SerialScannerReader` per pty — framing,
  barcode decoding (GTIN check digits, GS1 via biip) and the ``on_scan`` callback.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import serial

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from devices.pseudo_terminal import PseudoTerminal  # noqa: E402
from devices.serial_scanner import ScannerConfig, SerialScannerReader  # noqa: E402

CODES = [
    b"4006381333931",  # EAN-13
    b"]C10109501101530003\x1d10LOT-7\x1d17260630",  # GS1-128 with AIM prefix
    b"A-01-02-1",  # location
    b"TOTE-0001",  # tote
    b"]E496385074",  # EAN-8 with AIM prefix
    b"(01)09501101530003(21)SN-42",  # GS1 HRI
]


def payload(lines: int) -> bytes:
    return b"".join(CODES[i % len(CODES)] + b"\r" for i in range(lines))


def feed(ptys: list[PseudoTerminal], data: bytes) -> list[threading.Thread]:
    """One writer thread per pty, writing in 4 KB chunks (blocks while the reader lags)."""

    def write(pty: PseudoTerminal) -> None:
        for start in range(0, len(data), 4096):
            pty.write(data[start : start + 4096])

    writers = [threading.Thread(target=write, args=(pty,)) for pty in ptys]
    for writer in writers:
        writer.start()
    return writers


def raw_rate(ptys: list[PseudoTerminal], lines: int) -> float:
    total = lines * len(ptys)
    counted = [0] * len(ptys)

    def read(index: int, port: serial.SerialBase) -> None:
        while counted[index] < lines:
            counted[index] += port.read(port.in_waiting or 1).count(b"\r")

    ports = [serial.serial_for_url(p.path, baudrate=9600, timeout=0.1) for p in ptys]
    readers = [threading.Thread(target=read, args=(i, p)) for i, p in enumerate(ports)]
    started = time.perf_counter()
    for reader in readers:
        reader.start()
    writers = feed(ptys, payload(lines))
    for thread in [*writers, *readers]:
        thread.join()
    elapsed = time.perf_counter() - started
    for port in ports:
        port.close()
    assert sum(counted) == total
    return total / elapsed


def decoded_rate(ptys: list[PseudoTerminal], lines: int) -> tuple[float, int]:
    total = lines * len(ptys)
    done = threading.Event()
    counts = {"scans": 0, "errors": 0}
    lock = threading.Lock()

    def count(kind: str) -> Callable[[object], None]:
        def on_event(_event: object) -> None:
            with lock:
                counts[kind] += 1
                if counts["scans"] + counts["errors"] == total:
                    done.set()

        return on_event

    readers = [
        SerialScannerReader(ScannerConfig(f"s{i}", p.path), count("scans"), count("errors"))
        for i, p in enumerate(ptys)
    ]
    for reader in readers:
        reader.start()
    while any(reader.status != "online" for reader in readers):
        time.sleep(0.01)
    started = time.perf_counter()
    writers = feed(ptys, payload(lines))
    done.wait(120)
    elapsed = time.perf_counter() - started
    for thread in writers:
        thread.join()
    for reader in readers:
        reader.stop()
    return counts["scans"] / elapsed, counts["errors"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scanners", type=int, default=20)
    parser.add_argument("--lines", type=int, default=3000, help="lines per scanner")
    args = parser.parse_args(argv)
    ptys = [PseudoTerminal() for _ in range(args.scanners)]
    try:
        raw = raw_rate(ptys, args.lines)
        decoded, errors = decoded_rate(ptys, args.lines)
    finally:
        for pty in ptys:
            pty.close()
    total = args.scanners * args.lines
    print(f"{args.scanners} pty scanners x {args.lines} lines ({total} lines per path)")
    print(f"{'path':<48} {'lines/s':>10}")
    print(f"{'raw pty, chunked reads (ceiling)':<48} {raw:>10,.0f}")
    print(f"{'SerialScannerReader -> decode -> on_scan':<48} {decoded:>10,.0f}")
    print(f"{'ratio decoded / raw':<48} {decoded / raw:>10.1%}")
    print(f"decode errors: {errors} (expected 0)")
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
