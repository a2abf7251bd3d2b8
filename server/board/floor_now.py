"""The floor now, read for the board: open orders by status and channel, late and at risk,
batches in progress, pack stations, the pickers on the floor and what each is doing. Each
part is one or two aggregate queries; the rules are in server/board/rules.py."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from typing import Any

import peewee

from server.board import rules
from server.board.settings import BoardSettings
from server.models import (
    OPEN_STATUSES,
    FloorOperator,
    FloorSession,
    Order,
    OrderHold,
    PackJob,
    PickBatch,
    PickTask,
    isoformat,
)
from server.models.picking import BatchStatus, TaskStatus

LISTED = 12  # late and at-risk orders listed by name (all are counted)


def orders(now: dt.datetime, settings: BoardSettings) -> dict[str, Any]:
    """Counts by status and channel (one GROUP BY), and the late and at-risk orders: only
    the orders that could be (a ship-by within the longest lead time, or a carrier whose
    pickup is that close) are read one by one and judged by the rules."""
    counts: list[Any] = list(
        Order.select(Order.status, Order.channel, peewee.fn.COUNT(Order.id))
        .where(Order.status.in_(OPEN_STATUSES))
        .group_by(Order.status, Order.channel)
        .tuples()
    )
    by_status: Counter[str] = Counter()
    by_channel: dict[str, Counter[str]] = defaultdict(Counter)
    for status, channel, n in counts:
        by_status[status] += n
        by_channel[channel][status] += n
    horizon = now + dt.timedelta(minutes=sum(settings.lead_min.values()))
    close = [
        c
        for c in settings.pickups
        if (p := rules.next_pickup(now, settings.pickup_of(c))) and p <= horizon
    ]
    maybe = Order.ship_by < horizon
    if close:
        maybe = maybe | Order.carrier.in_(close)
    rows: list[Any] = list(
        Order.select(Order.external_id, Order.status, Order.channel, Order.ship_by, Order.carrier)
        .where(Order.status.in_(OPEN_STATUSES), maybe)
        .tuples()
    )
    held_rows: list[Any] = list(
        OrderHold.select(Order.external_id)
        .join(Order)
        .where(Order.status.in_(OPEN_STATUSES))
        .tuples()
    )
    held = {external_id for (external_id,) in held_rows}
    flagged: dict[str, list[dict[str, Any]]] = {"late": [], "at_risk": []}
    for external_id, status, channel, ship_by, carrier in rows:
        pickup = rules.next_pickup(now, settings.pickup_of(carrier))
        timing = rules.timing(now, status, ship_by, pickup, settings.lead_min)
        if timing != "on_time":
            flagged[timing].append(
                {
                    "order": external_id,
                    "status": status,
                    "channel": channel,
                    "carrier": carrier,
                    "ship_by": isoformat(ship_by),
                    "held": external_id in held,
                }
            )
    for listed in flagged.values():
        listed.sort(key=lambda o: o["ship_by"] or "")
    return {
        "open": sum(by_status.values()),
        "held": len(held),
        "by_status": {s: by_status[s] for s in OPEN_STATUSES if by_status[s]},
        "by_channel": {c: dict(n) for c, n in sorted(by_channel.items())},
        "late": {"count": len(flagged["late"]), "orders": flagged["late"][:LISTED]},
        "at_risk": {"count": len(flagged["at_risk"]), "orders": flagged["at_risk"][:LISTED]},
    }


def batches() -> list[dict[str, Any]]:
    """Batches not yet at the pack zone, with their picker and how far they are."""
    open_batches = {
        b.id: b
        for b in PickBatch.select().where(
            PickBatch.status.in_([BatchStatus.OPEN, BatchStatus.ASSIGNED])
        )
    }
    if not open_batches:
        return []
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    query: list[Any] = list(
        PickTask.select(PickTask.batch, PickTask.status, peewee.fn.COUNT(PickTask.id))
        .where(PickTask.batch.in_(list(open_batches)))
        .group_by(PickTask.batch, PickTask.status)
        .tuples()
    )
    for batch_id, status, n in query:
        counts[batch_id][status] = n
    out = []
    for pk, batch in open_batches.items():
        c = counts[pk]
        total = sum(v for s, v in c.items() if s != TaskStatus.CANCELLED)
        done = c[TaskStatus.DONE] + c[TaskStatus.SHORT]
        out.append(
            {
                "batch": batch.batch_id,
                "status": batch.status,
                "picker": batch.operator,
                "done": done,
                "total": total,
                "short": c[TaskStatus.SHORT],
                "since": isoformat(batch.created_at),
            }
        )
    out.sort(key=lambda b: (b["picker"] is None, b["since"] or ""))
    return out


def stations() -> list[dict[str, Any]]:
    """Pack stations (and benches) with the order each packs now."""
    query: list[Any] = list(
        PackJob.select(PackJob.station, PackJob.packer, PackJob.started_at, Order.external_id)
        .join(Order)
        .where(PackJob.status == "open")
        .order_by(PackJob.station)
        .tuples()
    )
    return [
        {"station": station or "bench", "packer": packer, "order": order, "since": isoformat(at)}
        for station, packer, at, order in query
    ]


def operators_on_floor() -> list[dict[str, Any]]:
    """Everyone logged in on a kiosk, with what their screen says they are doing."""
    query = (
        FloorSession.select(
            FloorSession.badge,
            FloorSession.flow,
            FloorSession.screen,
            FloorSession.station,
            FloorSession.device_id,
            FloorSession.last_seen,
            FloorOperator.name.alias("op_name"),
            FloorOperator.roles.alias("op_roles"),
        )
        .join(FloorOperator, on=FloorSession.operator == FloorOperator.id)
        .where(FloorSession.ended_at.is_null())
        .order_by(FloorSession.badge)
        .objects()
    )
    out = []
    for session in query:
        screen = session.screen or {}
        out.append(
            {
                "badge": session.badge,
                "name": session.op_name,
                "roles": sorted(_roles(session.op_roles)),
                "flow": session.flow,
                "doing": _doing(screen),
                "station": session.station,
                "device": session.device_id,
                "last_seen": isoformat(session.last_seen),
            }
        )
    return out


def _roles(value: Any) -> list[str]:
    if isinstance(value, str):  # an aliased JSON column may come back as its text
        value = json.loads(value)
    return list(value or [])


def _doing(screen: dict[str, Any]) -> str:
    if not screen:
        return ""
    title, prompt = screen.get("title") or "", screen.get("prompt") or ""
    return f"{title}: {prompt}" if title and prompt else title or prompt
