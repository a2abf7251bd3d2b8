"""Sending ZPL to a network label printer: raw TCP, port 9100 by default.

One job is one connection: connect (with a timeout), send every byte, close. A printer
that cannot take the job raises a :class:`PrinterError` saying which way it failed:
refused (on the network, nothing listening: off or busy with another host), timeout (no
answer in time: off, unplugged, or not reading) or unreachable (no route, no such host).
The timeout bounds the whole job, connect and send together.
"""

from __future__ import annotations

import errno
import socket
import time
from dataclasses import dataclass

DEFAULT_PORT = 9100
DEFAULT_TIMEOUT = 5.0
UNREACHABLE = {errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EHOSTDOWN, errno.ENETDOWN}


class PrinterError(Exception):
    """The printer at `address` did not take the job."""

    def __init__(self, address: tuple[str, int], message: str) -> None:
        super().__init__(f"printer {format_address(address)}: {message}")
        self.address = address


class PrinterRefused(PrinterError):
    """Connection refused: the host answers but no printer listens on the port."""


class PrinterTimeout(PrinterError):
    """No answer within the timeout, connecting or sending."""


class PrinterUnreachable(PrinterError):
    """No route to the host, or a host name that does not resolve."""


def parse_address(text: str, default_port: int = DEFAULT_PORT) -> tuple[str, int]:
    """``host:port``, ``host`` (the default port), ``:port`` (loopback), ``[v6]:port``."""
    host, port = text.strip(), str(default_port)
    if host.startswith("["):
        host, _, rest = host[1:].partition("]")
        port = rest.removeprefix(":") or port
    elif host.count(":") == 1:
        host, port = host.split(":")
    if not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(f"not a printer address (host:port): {text!r}")
    return host or "127.0.0.1", int(port)


def format_address(address: tuple[str, int]) -> str:
    host, port = address
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


@dataclass(frozen=True)
class ZplPrinter:
    """A network ZPL printer: where it is and how long a job may take."""

    host: str
    port: int = DEFAULT_PORT
    timeout: float = DEFAULT_TIMEOUT

    @classmethod
    def at(cls, address: str, timeout: float = DEFAULT_TIMEOUT) -> ZplPrinter:
        host, port = parse_address(address)
        return cls(host, port, timeout)

    def send(self, zpl: str | bytes) -> int:
        """Send one job (UTF-8 when text); the number of bytes sent. Raises PrinterError."""
        return send_zpl(zpl, (self.host, self.port), timeout=self.timeout)


def send_zpl(
    zpl: str | bytes, address: tuple[str, int], *, timeout: float = DEFAULT_TIMEOUT
) -> int:
    """Connect to `address`, send all of `zpl`, close; within `timeout` seconds in all."""
    data = zpl.encode("utf-8") if isinstance(zpl, str) else bytes(zpl)
    deadline = time.monotonic() + timeout
    try:
        with socket.create_connection(address, timeout=timeout) as conn:
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn.settimeout(max(deadline - time.monotonic(), 0.001))
            conn.sendall(data)
            conn.shutdown(socket.SHUT_WR)
    except TimeoutError as exc:
        raise PrinterTimeout(address, f"no answer within {timeout:g} s") from exc
    except ConnectionRefusedError as exc:
        raise PrinterRefused(address, "connection refused (is it on?)") from exc
    except socket.gaierror as exc:
        raise PrinterUnreachable(address, f"unknown host ({exc.strerror})") from exc
    except OSError as exc:
        if exc.errno in UNREACHABLE:
            raise PrinterUnreachable(address, f"unreachable ({exc.strerror})") from exc
        raise PrinterError(address, f"{exc.strerror or exc}") from exc
    return len(data)
