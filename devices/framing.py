"""Line framing for serial byte streams, with a bounded buffer.

Serial devices deliver bytes in arbitrary chunks; :class:`LineFramer` turns them into
lines. A line longer than ``max_line`` is dropped and reported once as :class:`Overflow`,
and the rest of it is discarded up to the next terminator, so a device that never sends a
terminator (wrong baud rate, noise) cannot make the buffer grow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Terminator = Literal["CR", "LF", "CRLF"]
TERMINATORS: dict[str, bytes] = {"CR": b"\r", "LF": b"\n", "CRLF": b"\r\n"}


@dataclass(frozen=True)
class Overflow:
    """A line that passed the limit; ``head`` holds its first bytes for the log."""

    head: bytes
    limit: int


class LineFramer:
    """Split a byte stream into lines ending in ``terminator`` (CR/LF stripped)."""

    def __init__(self, terminator: Terminator = "CR", max_line: int = 512) -> None:
        if terminator not in TERMINATORS:
            raise ValueError(f"terminator must be one of {sorted(TERMINATORS)}, not {terminator!r}")
        self._separator = TERMINATORS[terminator][-1:]
        self._max_line = max_line
        self._buffer = b""
        self._discarding = False

    def feed(self, data: bytes) -> list[bytes | Overflow]:
        """Add ``data`` and return the lines (and overflows) it completed, in order."""
        out: list[bytes | Overflow] = []
        parts = (self._buffer + data).split(self._separator)
        self._buffer = parts.pop()
        for part in parts:
            if self._discarding:
                self._discarding = False
                continue
            self._emit(part, out)
        if len(self._buffer) > self._max_line:
            if not self._discarding:
                out.append(Overflow(self._buffer[:32], self._max_line))
            self._discarding = True
            self._buffer = b""
        return out

    def _emit(self, part: bytes, out: list[bytes | Overflow]) -> None:
        line = part.strip(b"\r\n")
        if len(line) > self._max_line:
            out.append(Overflow(line[:32], self._max_line))
        elif line:
            out.append(line)
