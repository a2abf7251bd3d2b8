"""The server's confirmations to a bridge: what it committed, and what it must resend.

A bridge keeps every event in its spool until the server confirms it on
``floorlink/<site>/bridge/<bridge_id>/committed`` (published after the commit). The broker's
PUBACK only says the broker has it, and a broker crash can still lose that.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from devices.json_fields import Fields
from devices.mqtt_topics import Topic


@dataclass(frozen=True)
class Committed:
    """Every event of ``device_id`` in ``session`` up to ``seq`` is committed."""

    device_id: str
    session: str
    seq: int


@dataclass(frozen=True)
class Refused:
    """The server will never take this event from this bridge (``reason``: the device is
    configured behind another bridge): settled, so the bridge drops it from its spool."""

    device_id: str
    session: str
    seq: int
    reason: str


@dataclass(frozen=True)
class BridgeCommitted:
    """One confirmation. ``resend`` names the (device, session) pairs whose events arrived
    after a gap (the broker lost some): the bridge publishes them again from its oldest.
    ``refused``: events settled without being applied."""

    site: str
    bridge_id: str
    committed: tuple[Committed, ...]
    resend: tuple[tuple[str, str], ...] = ()
    refused: tuple[Refused, ...] = ()


def decode_committed(topic: Topic, fields: Fields) -> BridgeCommitted:
    fields.only("committed", "resend", "refused")
    committed = []
    for item in fields.objects("committed"):
        item.only("device_id", "session", "seq")
        committed.append(
            Committed(item.text("device_id"), item.text("session"), item.positive_int("seq"))
        )
    resend = []
    for item in fields.objects("resend"):
        item.only("device_id", "session")
        resend.append((item.text("device_id"), item.text("session")))
    refused = []
    for item in fields.objects("refused"):
        item.only("device_id", "session", "seq", "reason")
        refused.append(
            Refused(
                item.text("device_id"),
                item.text("session"),
                item.positive_int("seq"),
                item.text("reason"),
            )
        )
    return BridgeCommitted(
        topic.site, topic.subject, tuple(committed), tuple(resend), tuple(refused)
    )


def committed_payload(
    committed: Iterable[Committed],
    resend: Iterable[tuple[str, str]] = (),
    refused: Iterable[Refused] = (),
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "committed": [
            {"device_id": c.device_id, "session": c.session, "seq": c.seq} for c in committed
        ]
    }
    pairs = [{"device_id": d, "session": s} for d, s in resend]
    if pairs:
        payload["resend"] = pairs
    settled = [
        {"device_id": r.device_id, "session": r.session, "seq": r.seq, "reason": r.reason}
        for r in refused
    ]
    if settled:
        payload["refused"] = settled
    return payload
