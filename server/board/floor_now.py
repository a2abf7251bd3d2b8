"""The floor now, read for the board: open orders by status and channel, late and at risk,
batches in progress, pack stations, the pickers on the floor and what each is doing. Each
part is one to three hand-written statements (server/rawsql.py), read as plain rows: the
board reads them again every second while the floor is busy, from a thread that shares the
worker's GIL with the requests, so neither peewee's query building nor its model objects
are worth their cost here. The rules are in server/board/rules.py."""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections import Counter, defaultdict
from typing import Any

from server import rawsql
from server.board import rules
from server.board.settings import BoardSettings
from server.db import is_postgres
from server.models import (
    OPEN_STATUSES,
    BatchOrder,
    FloorOperator,
    FloorSession,
    Order,
    OrderHold,
    PackJob,
    PickBatch,
    PickTask,
    isoformat,
)
from server.models.picking import BatchStatus, PickWave, TaskStatus, WaveOrder, WaveStatus

LISTED = 12  # late and at-risk orders listed by name (all are counted)
_OPEN = rawsql.placeholders(len(OPEN_STATUSES))
read_ship_by = rawsql.reader(Order.ship_by)
read_created = rawsql.reader(PickBatch.created_at)
read_started = rawsql.reader(PackJob.started_at)


@functools.cache
def _orders_sql() -> tuple[str, str, str]:
    order, hold = rawsql.table(Order), rawsql.table(OrderHold)
    counts = (
        f'SELECT "status", "channel", COUNT(*) FROM {order} WHERE "status" IN ({_OPEN}) '
        'GROUP BY "status", "channel"'
    )
    near = (
        f'SELECT "external_id", "status", "channel", "ship_by", "carrier" FROM {order} '
        f'WHERE "status" IN ({_OPEN}) AND ("ship_by" < ?'
    )
    held = (
        f'SELECT o."external_id" FROM {hold} h JOIN {order} o ON o."id" = h."order_id" '
        f'WHERE o."status" IN ({_OPEN})'
    )
    return counts, near, held


def orders(now: dt.datetime, settings: BoardSettings) -> dict[str, Any]:
    """Counts by status and channel (one GROUP BY), and the late and at-risk orders: only
    the orders that could be (a ship-by within the longest lead time, or a carrier whose
    pickup is that close) are read one by one and judged by the rules."""
    counts_sql, near_sql, held_sql = _orders_sql()
    by_status: Counter[str] = Counter()
    by_channel: dict[str, Counter[str]] = defaultdict(Counter)
    for status, channel, n in rawsql.execute(counts_sql, OPEN_STATUSES).fetchall():
        by_status[status] += n
        by_channel[channel][status] += n
    horizon = now + dt.timedelta(minutes=sum(settings.lead_min.values()))
    close = [
        c
        for c in settings.pickups
        if (p := rules.next_pickup(now, settings.pickup_of(c))) and p <= horizon
    ]
    sql = near_sql + (f' OR "carrier" IN ({rawsql.placeholders(len(close))}))' if close else ")")
    params = [*OPEN_STATUSES, Order.ship_by.db_value(horizon), *close]
    rows = rawsql.execute(sql, params).fetchall()
    held = {external_id for (external_id,) in rawsql.execute(held_sql, OPEN_STATUSES)}
    flagged: dict[str, list[dict[str, Any]]] = {"late": [], "at_risk": []}
    for external_id, status, channel, ship_by_value, carrier in rows:
        ship_by = read_ship_by(ship_by_value)
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
        listed.sort(key=lambda o: (o["ship_by"] or "", o["order"]))
    return {
        "open": sum(by_status.values()),
        "held": len(held),
        "by_status": {s: by_status[s] for s in OPEN_STATUSES if by_status[s]},
        "by_channel": {c: dict(sorted(n.items())) for c, n in sorted(by_channel.items())},
        "late": {"count": len(flagged["late"]), "orders": flagged["late"][:LISTED]},
        "at_risk": {"count": len(flagged["at_risk"]), "orders": flagged["at_risk"][:LISTED]},
    }


@functools.cache
def _batches_sql() -> str:
    batch, task, slot = (rawsql.table(m) for m in (PickBatch, PickTask, BatchOrder))
    wave, wave_order = rawsql.table(PickWave), rawsql.table(WaveOrder)
    held_wave = (
        f"SELECT 1 FROM {slot} bo "
        f'JOIN {wave_order} wo ON wo."order_id" = bo."order_id" '
        f'JOIN {wave} w ON w."id" = wo."wave_id" '
        f'WHERE bo."batch_id" = b."id" AND w."status" = \'{WaveStatus.HELD}\''
    )
    return (
        'SELECT b."batch_id", b."status", b."operator", b."created_at", '
        f"SUM(CASE WHEN t.\"status\" <> '{TaskStatus.CANCELLED}' THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN t.\"status\" IN ('{TaskStatus.DONE}', '{TaskStatus.SHORT}') "
        "THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN t.\"status\" = '{TaskStatus.SHORT}' THEN 1 ELSE 0 END), "
        f"CASE WHEN EXISTS ({held_wave}) THEN 1 ELSE 0 END "
        f'FROM {batch} b LEFT JOIN {task} t ON t."batch_id" = b."id" '
        f"WHERE b.\"status\" IN ('{BatchStatus.OPEN}', '{BatchStatus.ASSIGNED}') "
        'GROUP BY b."id", b."batch_id", b."status", b."operator", b."created_at"'
    )


def batches() -> list[dict[str, Any]]:
    """Batches not yet at the pack zone, with their picker and how far they are (one
    statement: the task counts summed per batch), and whether a wave of theirs is held."""
    out = [
        {
            "batch": batch_id,
            "status": status,
            "picker": picker,
            "done": int(done or 0),
            "total": int(total or 0),
            "short": int(short or 0),
            "since": isoformat(read_created(created)),
            "held": bool(held),
        }
        for batch_id, status, picker, created, total, done, short, held in rawsql.execute(
            _batches_sql()
        ).fetchall()
    ]
    out.sort(key=lambda b: (b["picker"] is None, b["since"] or "", b["batch"]))
    return out


@functools.cache
def _stations_sql() -> str:
    job, order = rawsql.table(PackJob), rawsql.table(Order)
    return (
        f'SELECT j."station", j."packer", j."started_at", o."external_id" FROM {job} j '
        f'JOIN {order} o ON o."id" = j."order_id" WHERE j."status" = \'open\' '
        'ORDER BY j."station", j."id"'
    )


def stations() -> list[dict[str, Any]]:
    """Pack stations (and benches) with the order each packs now."""
    return [
        {
            "station": station or "bench",
            "packer": packer,
            "order": order,
            "since": isoformat(read_started(at)),
        }
        for station, packer, at, order in rawsql.execute(_stations_sql()).fetchall()
    ]


def _json_key(column: str, key: str, postgres: bool) -> str:
    """One key of a JSON text column, read by the database: a session's screen is not
    decoded in Python for its title and prompt."""
    return f"({column}::json ->> '{key}')" if postgres else f"json_extract({column}, '$.{key}')"


@functools.cache
def _operators_sql(postgres: bool) -> str:
    session, operator = rawsql.table(FloorSession), rawsql.table(FloorOperator)
    return (
        f's."badge", s."flow", {_json_key("s.screen", "title", postgres)}, '
        f'{_json_key("s.screen", "prompt", postgres)}, s."station", s."device_id", '
        f'o."name", o."roles" FROM {session} s JOIN {operator} o ON o."id" = s."operator" '
        'WHERE s."ended_at" IS NULL ORDER BY s."badge"'
    )


@functools.lru_cache(maxsize=64)
def _roles(text: str | None) -> tuple[str, ...]:
    return tuple(sorted(json.loads(text) if text else ()))


def operators_on_floor() -> list[dict[str, Any]]:
    """Everyone logged in on a kiosk, with what their screen says they are doing."""
    rows = rawsql.execute("SELECT " + _operators_sql(is_postgres())).fetchall()
    return [
        {
            "badge": badge,
            "name": name,
            "roles": list(_roles(roles)),
            "flow": flow,
            "doing": doing(title, prompt),
            "station": station,
            "device": device,
        }
        for badge, flow, title, prompt, station, device, name, roles in rows
    ]


def doing(title: str | None, prompt: str | None) -> str:
    """What a screen says its operator is doing: its title and prompt."""
    title, prompt = title or "", prompt or ""
    return f"{title}: {prompt}" if title and prompt else title or prompt
