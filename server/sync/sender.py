"""POSTing one signed event to an endpoint: keep-alive connections, no redirects, a timeout.

http.client directly, one small pool of keep-alive connections per endpoint URL shared by
the sending threads: urllib3 cost about twice the CPU per request (docs/performance.md, trap 7;
the relay is bound by its GIL). Redirects are never followed (http.client does not).
Every socket gets TCP_NODELAY (docs/performance.md, trap 1). The body arrives ready-made (the
event serialised once per claim), so an attempt only signs and sends.
"""

from __future__ import annotations

import collections
import http.client
import logging
import socket
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

from server.sync import signing

log = logging.getLogger(__name__)
MAX_ANSWER_BYTES = 1 << 20
# A reused keep-alive connection the endpoint already closed fails before any answer:
# sent again once on a fresh connection (the same webhook-id; at-least-once allows it).
STALE = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError)


@dataclass(frozen=True)
class Answer:
    """What the endpoint said: an HTTP status, or None with an error (refused, timeout)."""

    status: int | None
    retry_after: str | None = None
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class _Endpoint:
    """Idle keep-alive connections to one URL (LIFO, shared by threads)."""

    def __init__(self, url: str, timeout_s: float, size: int) -> None:
        parts = urlsplit(url)
        self.https = parts.scheme == "https"
        self.host = parts.hostname or ""
        self.port = parts.port
        self.path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self.timeout = timeout_s
        self.size = size
        self.idle: collections.deque[http.client.HTTPConnection] = collections.deque()

    def connect(self) -> http.client.HTTPConnection:
        kind = http.client.HTTPSConnection if self.https else http.client.HTTPConnection
        conn = kind(self.host, self.port, timeout=self.timeout)
        conn.connect()
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn

    def take(self) -> tuple[http.client.HTTPConnection, bool]:
        try:
            return self.idle.pop(), True
        except IndexError:
            return self.connect(), False

    def give_back(self, conn: http.client.HTTPConnection) -> None:
        if len(self.idle) < self.size:
            self.idle.append(conn)
        else:
            conn.close()

    def close(self) -> None:
        while self.idle:
            self.idle.pop().close()


class Sender:
    def __init__(self, timeout_s: float, pool_size: int = 8) -> None:
        self.timeout_s = timeout_s
        self.pool_size = pool_size
        self._endpoints: dict[str, _Endpoint] = {}
        self._lock = threading.Lock()

    def _endpoint(self, url: str) -> _Endpoint:
        found = self._endpoints.get(url)
        if found is None:
            with self._lock:
                found = self._endpoints.setdefault(
                    url, _Endpoint(url, self.timeout_s, self.pool_size)
                )
        return found

    def post(self, url: str, keys: list[bytes], msg_id: str, body: bytes, timestamp: int) -> Answer:
        headers = signing.headers(keys, msg_id, timestamp, body)
        headers["user-agent"] = "Floorlink-Webhooks/1"
        try:
            target = self._endpoint(url)
        except ValueError as exc:  # an unparseable port
            return Answer(None, error=f"{type(exc).__name__}: {exc}"[:500])
        for _ in range(2):
            try:
                conn, reused = target.take()
            except (OSError, http.client.HTTPException, ValueError) as exc:
                return self._failed(url, exc)
            try:
                conn.request("POST", target.path, body, headers)
                response = conn.getresponse()
                response.read(MAX_ANSWER_BYTES)
            except STALE as exc:
                conn.close()
                if reused:
                    continue
                return self._failed(url, exc)
            except (OSError, http.client.HTTPException, ValueError) as exc:
                conn.close()
                return self._failed(url, exc)
            if response.will_close or not response.isclosed():
                conn.close()  # the endpoint closes it, or an answer too long to drain
            else:
                target.give_back(conn)
            status = response.status
            error = "" if 200 <= status < 300 else f"HTTP {status}"
            return Answer(status, response.getheader("retry-after"), error)
        return Answer(None, error="the connection kept closing")  # pragma: no cover

    @staticmethod
    def _failed(url: str, exc: BaseException) -> Answer:
        log.debug("POST %s failed: %s", url, exc)
        return Answer(None, error=f"{type(exc).__name__}: {exc}"[:500])

    def close(self) -> None:
        with self._lock:
            for target in self._endpoints.values():
                target.close()
            self._endpoints.clear()
