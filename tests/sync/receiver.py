"""A real webhook receiver on loopback: scripted answers, every signature verified."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook


@dataclass
class Received:
    webhook_id: str
    headers: dict[str, str]
    body: bytes
    valid: bool
    event: dict[str, Any] = field(default_factory=dict)


# An answer: a status, or (status, headers).
Answer = int | tuple[int, dict[str, str]]
Script = Callable[[Received], Answer]


class Receiver:
    """ThreadingHTTPServer in a thread; `script(received)` chooses each answer.

    `go_away()` closes the port and drops requests on open keep-alive connections
    unanswered (an OMS that is gone); `come_back()` listens on the same port again."""

    def __init__(self, secrets: list[str] | None = None) -> None:
        self.secrets = list(secrets or [])
        self.script: Script = lambda _r: 200
        self.log: list[Received] = []  # every request, answered or not
        self.accepted: list[Received] = []  # those answered 2xx
        self.before_answer: Callable[[Received], None] | None = None
        self.gone = False
        self._lock = threading.Lock()
        self._listen(0)

    def _listen(self, port: int) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self.port = self._server.server_port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def start(self) -> Receiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def go_away(self) -> None:
        self.gone = True
        self.stop()

    def come_back(self) -> None:
        self._listen(self.port)
        self.gone = False
        self.start()

    def verify(self, body: bytes, headers: dict[str, str]) -> bool:
        for secret in self.secrets:
            try:
                Webhook(secret).verify(body, headers)
                return True
            except Exception:  # malformed headers raise more than WebhookVerificationError
                continue
        return False

    def handle(self, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, str]]:
        received = Received(
            headers.get("webhook-id", ""), headers, body, self.verify(body, headers)
        )
        with contextlib.suppress(ValueError):
            received.event = json.loads(body)
        answer = self.script(received)
        status, extra = answer if isinstance(answer, tuple) else (answer, {})
        with self._lock:
            self.log.append(received)
            if 200 <= status < 300:
                self.accepted.append(received)
        if self.before_answer is not None:
            self.before_answer(received)
        return status, extra

    def accepted_ids(self) -> list[str]:
        with self._lock:
            return [r.webhook_id for r in self.accepted]


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            if receiver.gone:  # a keep-alive connection from before: dropped unanswered
                self.close_connection = True
                return
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length)
            if len(body) < length:  # the sender died mid-request: nothing to answer
                self.close_connection = True
                return
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, extra = receiver.handle(body, headers)
            self.send_response(status)
            for name, value in extra.items():
                self.send_header(name, value)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    return Handler
