"""Order per device for a bridge's events, as pure rules (no I/O).

A bridge numbers the events of each device within a session (``seq`` 1, 2, 3, ...) and
keeps them until the server confirms them. The server applies event ``n`` only once
``n - 1`` is committed (or ``n`` is 1, or the bridge marks it ``first``: every earlier
one was confirmed to it). An event after a gap — the broker lost the ones before it in a
crash — is held: not applied, not routed, and the bridge is asked to publish that device
again from its oldest unconfirmed event. Events without a ``bridge`` (devices with their
own MQTT firmware) are applied in arrival order as before.

The confirmation per bridge is the highest ``seq`` per (device, session) known committed
after the batch: replays of committed events are confirmed again (their first
confirmation may have been lost).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from devices.confirmations import Committed, Refused
from devices.payloads import DeviceEvent


@dataclass
class Confirmation:
    """What one bridge is told after a batch."""

    site: str
    bridge_id: str
    committed: dict[tuple[str, str], int] = field(default_factory=dict)
    resend: list[tuple[str, str]] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)  # settled, never to be applied

    def committed_list(self) -> list[Committed]:
        return [Committed(d, s, seq) for (d, s), seq in self.committed.items()]


@dataclass
class Ordered:
    """``applied``: the events to apply, in order (an event held at its first arrival in
    the batch and taken at a later one is applied there, after its predecessor); ``held``:
    the ids never taken in this batch."""

    applied: list[DeviceEvent] = field(default_factory=list)
    held: set[str] = field(default_factory=set)
    confirmations: dict[str, Confirmation] = field(default_factory=dict)


def predecessor(event: DeviceEvent) -> str:
    return f"{event.device_id}:{event.session}:{event.seq - 1}"


def lookups(events: Iterable[DeviceEvent]) -> list[str]:
    """The event ids the rule needs to know about: each bridge event and its predecessor."""
    ids: dict[str, None] = {}
    for event in events:
        if event.bridge is None:
            continue
        ids[event.event_id] = None
        if event.seq > 1 and not event.first:
            ids[predecessor(event)] = None
    return list(ids)


def order(events: Iterable[DeviceEvent], known: set[str]) -> Ordered:
    """Which bridge events of a batch (arrival order) wait for a resend, and what each
    bridge is told; ``known`` is the ids of :func:`lookups` already committed."""
    result = Ordered()
    taken = set(known)
    for event in events:
        if event.bridge is None:
            result.applied.append(event)
            continue
        confirmation = result.confirmations.get(event.bridge)
        if confirmation is None:
            confirmation = result.confirmations[event.bridge] = Confirmation(
                event.site, event.bridge
            )
        group = (event.device_id, event.session)
        applies = (
            event.event_id in taken or event.seq == 1 or event.first or predecessor(event) in taken
        )
        if not applies:
            result.held.add(event.event_id)
            if group not in confirmation.resend:
                confirmation.resend.append(group)
            continue
        taken.add(event.event_id)
        result.applied.append(event)
        confirmation.committed[group] = max(confirmation.committed.get(group, 0), event.seq)
    result.held -= taken
    return result
