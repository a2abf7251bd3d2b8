"""Lists bound into the relay's SQL, padded to a power-of-two length.

Python's sqlite3 keeps up to 128 prepared statements per connection, keyed by their text,
and an `id IN (?, ?, ...)` of every length the relay happened to send was a statement of
its own: a drain after a long outage sends most lengths from 1 to 2,000 (chains cut short
by a failure or a lease, settles of part of a batch), a 2,048-parameter UPDATE holds
~380 kB of SQLite's memory, and in the drain of bench/outage.py (issue 16) the relay's
pooled connections held ~590 such statements (their SQL texts, alive in tracemalloc).
Padded, a statement has at most 13 shapes (1 to 4,096), a few MB per connection in all.
PostgreSQL caches nothing on the client; the padding costs it at most twice the parameters.
"""

from __future__ import annotations

from typing import TypeVar

T = TypeVar("T")
NO_PAIR = (-1, "")  # an (endpoint, subject) that matches nothing: endpoint ids start at 1


def bucket(n: int) -> int:
    """The smallest power of two >= n (1 for 0)."""
    return 1 << max(0, n - 1).bit_length()


def padded(items: list[T]) -> list[T]:
    """`items` with its last one repeated up to bucket(len): for `IN (...)`, where a
    duplicate changes nothing. Empty stays empty."""
    if not items:
        return items
    return items + [items[-1]] * (bucket(len(items)) - len(items))


def padded_pairs(pairs: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """(endpoint, subject) pairs padded with NO_PAIR, for a VALUES list joined against the
    deliveries (a repeated pair would repeat its rows)."""
    return pairs + [NO_PAIR] * (bucket(len(pairs)) - len(pairs))
