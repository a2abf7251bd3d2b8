"""The retry schedule (docs/architecture.md, Webhooks) as pure functions: when to try
again, if ever.

The delays are a setting (`relay.retry_schedule_s`, docs/operations.md); SCHEDULE_S is the
documented default. An event is dead-lettered after its failed attempt number
`len(delays) + 1` (the 10th with the default)."""

from __future__ import annotations

import datetime as dt
import email.utils
from collections.abc import Callable, Sequence

# Delay after the 1st, 2nd, ... failed attempt; after the last one the event is dead.
SCHEDULE_S = (5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400)
JITTER = 0.2  # +/- 20 %
MAX_RETRY_AFTER_S = 86400


def next_delay(
    failures: int,
    retry_after_s: float | None = None,
    rand: Callable[[], float] | None = None,
    delays: Sequence[float] = SCHEDULE_S,
) -> float | None:
    """Seconds until the next attempt after `failures` failed ones; None: dead-letter.

    Jitter spreads retries of many events; a Retry-After longer than the schedule wins.
    """
    if failures < 1:
        return 0.0
    if failures > len(delays):
        return None
    base = float(delays[failures - 1])
    spread = (rand() * 2 - 1) * JITTER if rand is not None else 0.0
    delay = base * (1 + spread)
    if retry_after_s is not None:
        delay = max(delay, min(retry_after_s, MAX_RETRY_AFTER_S))
    return delay


def parse_retry_after(value: str | None, now: dt.datetime) -> float | None:
    """Retry-After as seconds (delta-seconds or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():  # str.isdigit() is also true of "²" and "١٢": only ASCII is a delay
        return float(value) if value.isascii() else None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - now.replace(tzinfo=dt.UTC)).total_seconds())
