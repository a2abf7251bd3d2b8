"""POSTing one signed event to an endpoint: keep-alive pools, no redirects, one timeout.

urllib3 sets TCP_NODELAY on its sockets by default (HTTPConnection.default_socket_options),
which avoids the Nagle + delayed-ACK stalls of PERFORMANCE.md.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

import urllib3

from server.sync import signing

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Answer:
    """What the endpoint said: an HTTP status, or None with an error (refused, timeout)."""

    status: int | None
    retry_after: str | None = None
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def body_of(event: dict[str, Any]) -> bytes:
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode()


class Sender:
    def __init__(self, timeout_s: float, pool_size: int = 8) -> None:
        self._timeout = urllib3.Timeout(total=timeout_s)
        self._pools = urllib3.PoolManager(num_pools=64, maxsize=pool_size, block=False)

    def post(self, url: str, keys: list[bytes], event: dict[str, Any], timestamp: int) -> Answer:
        body = body_of(event)
        headers = signing.headers(keys, event["id"], timestamp, body)
        headers["user-agent"] = "Floorlink-Webhooks/1"
        try:
            response = self._pools.request(
                "POST",
                url,
                body=body,
                headers=headers,
                redirect=False,
                retries=False,
                timeout=self._timeout,
            )
        except (urllib3.exceptions.HTTPError, OSError, ValueError) as exc:
            log.debug("POST %s failed: %s", url, exc)
            return Answer(None, error=f"{type(exc).__name__}: {exc}"[:500])
        error = "" if 200 <= response.status < 300 else f"HTTP {response.status}"
        return Answer(response.status, response.headers.get("retry-after"), error)

    def close(self) -> None:
        self._pools.clear()
