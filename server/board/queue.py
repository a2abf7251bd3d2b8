"""The exceptions queue, most urgent first: the open supervisor exceptions and the board's
live items (a badge locked, a device offline), each with the fixes it offers now."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import peewee

from server.area import ExceptionKind
from server.board import catalogue, rules
from server.board.fixes import waiting_for_release
from server.models import BadgeLock, OrderHold, SupervisorException, isoformat
from server.models.board import ExceptionAck
from server.models.sync import ExceptionStatus
from server.picking.waves import RELEASE_HOLDER
from server.supervision.exceptions import exception_view


def items(
    now: dt.datetime,
    kinds: Mapping[str, ExceptionKind],
    devices: list[dict[str, Any]],
    limit: int,
) -> dict[str, Any]:
    rows = list(
        SupervisorException.select()
        .where(SupervisorException.status == ExceptionStatus.OPEN)
        .order_by(SupervisorException.raised_at)
        .limit(limit * 5)
    )
    acks = (
        {
            a.exception_id: a
            for a in ExceptionAck.select().where(
                ExceptionAck.exception_id.in_([r.exception_id for r in rows])
            )
        }
        if rows
        else {}
    )
    views: list[dict[str, Any]] = []
    for row in rows:
        view = exception_view(row)
        ack = acks.get(row.exception_id)
        view["acknowledged"] = {"by": ack.by, "at": isoformat(ack.at)} if ack else None
        views.append(view)
    views.extend(_locked_badges())
    views.extend(_waves())
    views.extend(_offline(devices))
    ranked, by_id = [], {}
    for view in views:
        kind = catalogue.kind_of(kinds, view["kind"])
        raised = _parse(view.get("raised_at")) or now
        score = rules.urgency(
            kind.urgency, (now - raised).total_seconds(), bool(view.get("acknowledged"))
        )
        view["label"], view["urgency"] = kind.label, score
        by_id[view["id"]] = view
        ranked.append(rules.Ranked(view["id"], score, raised))
    ordered = [by_id[key] for key in rules.most_urgent_first(ranked)]
    counts: dict[str, int] = {}
    for view in ordered:
        counts[view["kind"]] = counts.get(view["kind"], 0) + 1
    shown = ordered[:limit]
    for view in shown:  # which fixes apply may take a query each: only for those shown
        view["fixes"] = [
            {"id": f.id, "label": f.label, "choose": f.choose, "options": list(f.options)}
            for f in catalogue.fixes_for(kinds, view)
        ]
    return {"count": len(ordered), "by_kind": counts, "items": shown}


def _locked_badges() -> list[dict[str, Any]]:
    return [
        {
            "id": f"badge:{lock.badge}",
            "kind": catalogue.BADGE_LOCKED,
            "subject": f"badge:{lock.badge}",
            "message": f"Badge {lock.badge} is locked after wrong PINs (at {lock.device_id})",
            "data": {"badge": lock.badge, "device": lock.device_id},
            "raised_at": isoformat(lock.locked_at),
            "live": True,
        }
        for lock in BadgeLock.select()
    ]


def _waves() -> list[dict[str, Any]]:
    waiting = waiting_for_release()
    if not waiting:
        return []
    oldest = (
        OrderHold.select(peewee.fn.MIN(OrderHold.held_at))
        .where(OrderHold.held_by == RELEASE_HOLDER)
        .scalar()
    )
    return [
        {
            "id": catalogue.WAVE_ITEM,
            "kind": catalogue.WAVE_WAITING,
            "subject": catalogue.WAVE_ITEM,
            "message": f"{waiting} orders wait for a wave (manual release): release the most "
            "urgent ones for picking",
            "data": {"waiting": waiting},
            "raised_at": isoformat(oldest),
            "live": True,
        }
    ]


def _offline(devices: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Assigned MQTT devices and serial ones that are offline (kiosks come and go)."""
    return [
        {
            "id": f"device:{d['id']}",
            "kind": catalogue.DEVICE_OFFLINE,
            "subject": f"device:{d['id']}",
            "message": f"{d['kind']} {d['id']}"
            + (f" at {d['station'] or d['location']}" if d["station"] or d["location"] else "")
            + f" is offline (last seen {d['last_seen'] or 'never'})",
            "data": {"device": d["id"], "kind": d["kind"]},
            "raised_at": d["last_seen"],
            "live": True,
        }
        for d in devices
        if d["availability"] != "online" and d["source"] != "kiosk"
    ]


def _parse(value: Any) -> dt.datetime | None:
    if not value:
        return None
    return dt.datetime.fromisoformat(str(value).removesuffix("Z"))
