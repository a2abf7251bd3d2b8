"""The waves for the board (manual release, server/picking/waves.py): each wave with orders
still to pick (and every held one), how far it is, and the fixes it offers now: hold it,
or release it again. A wave is a live item of the board's own (catalogue `WAVE`), shown in
the waves and batches tile rather than in the queue."""

from __future__ import annotations

import functools
from collections import Counter
from typing import Any

from server import rawsql
from server.board import catalogue
from server.models import Order, isoformat
from server.models.orders import OrderStatus
from server.models.picking import PickWave, WaveOrder, WaveStatus
from server.picking.waves import IN_PICKING, WAITING

read_at = rawsql.reader(PickWave.released_at)
_IN_PICKING = rawsql.placeholders(len(IN_PICKING))


@functools.cache
def _waves_sql() -> str:
    wave, wave_order, order = (rawsql.table(m) for m in (PickWave, WaveOrder, Order))
    return (
        'SELECT w."wave_id", w."status", w."released_by", w."released_at", w."held_by", '
        f'w."held_at", w."reason", o."status", COUNT(*) FROM {wave} w '
        f'JOIN {wave_order} wo ON wo."wave_id" = w."id" JOIN {order} o ON o."id" = wo."order_id" '
        f'WHERE w."status" = \'{WaveStatus.HELD}\' OR w."id" IN '
        f'(SELECT wo2."wave_id" FROM {wave_order} wo2 JOIN {order} o2 ON o2."id" = wo2."order_id" '
        f'WHERE o2."status" IN ({_IN_PICKING})) '
        'GROUP BY w."id", w."wave_id", w."status", w."released_by", w."released_at", '
        'w."held_by", w."held_at", w."reason", o."status" ORDER BY w."id"'
    )


def item_view(wave_id: str, status: str) -> dict[str, Any]:
    """A wave as a live item, for its fixes (server/board/catalogue.py)."""
    item = f"{catalogue.WAVE_PREFIX}{wave_id}"
    data = {"wave": wave_id, "status": status}
    return {"id": item, "kind": catalogue.WAVE, "subject": item, "data": data, "live": True}


def waves() -> list[dict[str, Any]]:
    """Newest first: each wave's orders by where they are, and its fixes."""
    found: dict[str, dict[str, Any]] = {}
    counts: dict[str, Counter[str]] = {}
    for wave_id, status, by, at, held_by, held_at, reason, order_status, n in rawsql.execute(
        _waves_sql(), IN_PICKING
    ).fetchall():
        if wave_id not in found:
            found[wave_id] = {
                "wave": wave_id,
                "status": status,
                "released_by": by,
                "released_at": isoformat(read_at(at)),
                "held_by": held_by,
                "held_at": isoformat(read_at(held_at)),
                "reason": reason,
            }
            counts[wave_id] = Counter()
        counts[wave_id][order_status] += n
    out = []
    for wave_id in reversed(list(found)):
        wave, c = found[wave_id], counts[wave_id]
        cancelled = c[OrderStatus.CANCELLED]
        wave |= {
            "orders": sum(c.values()) - cancelled,
            "waiting": sum(c[s] for s in WAITING),
            "picking": c[OrderStatus.PICKING],
            "picked": sum(c.values()) - cancelled - sum(c[s] for s in IN_PICKING),
            "cancelled": cancelled,
        }
        view = item_view(wave_id, wave["status"])
        wave["item"] = view["id"]
        wave["fixes"] = [
            {"id": f.id, "label": f.label, "choose": f.choose, "options": list(f.options)}
            for f in catalogue.fixes_for({}, view)
        ]
        out.append(wave)
    return out
