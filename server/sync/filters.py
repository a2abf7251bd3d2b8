"""Which event types an endpoint receives: exact names and `prefix.*` / `*` wildcards."""

from __future__ import annotations

import re

from server.sync.events import WebhookTest

TEST_EVENT = WebhookTest.type
_PATTERN = re.compile(r"^(\*|[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*(\.\*)?)$")


def valid_pattern(pattern: str) -> bool:
    return bool(_PATTERN.match(pattern))


def matches(patterns: list[str], event_type: str) -> bool:
    for pattern in patterns:
        if pattern == "*" or pattern == event_type:
            return True
        if pattern.endswith(".*") and event_type.startswith(pattern[:-1]):
            return True
    return False


def wants(patterns: list[str], endpoint_id: str, event_type: str, subject: str) -> bool:
    """Does this endpoint get this event? A `webhook.test` goes only to its own endpoint."""
    if event_type == TEST_EVENT:
        return subject == f"endpoint:{endpoint_id}"
    return matches(patterns, event_type)
