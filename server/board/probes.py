"""The probes for the board: each probe's range, last reading and the last hours of its
readings (the downsampled series of server/coldchain/), for a chart per probe."""

from __future__ import annotations

import datetime as dt
from typing import Any

from server.coldchain import rules
from server.coldchain.watch import watched_range
from server.config import Settings
from server.models import isoformat
from server.models.coldchain import ProbeReading, ProbeStatus

HOURS = 4
POINTS = 48


def probes(settings: Settings, now: dt.datetime) -> list[dict[str, Any]]:
    configured = [d for d in settings.section("devices") if d.kind == "probe" and d.location]
    if not configured:
        return []
    coldchain = settings.section("coldchain")
    since = now - dt.timedelta(hours=HOURS)
    ids = [d.id for d in configured]
    series: dict[str, list[rules.Point]] = {i: [] for i in ids}
    query = (
        ProbeReading.select()
        .where(ProbeReading.probe_id.in_(ids), ProbeReading.bucket >= since)
        .order_by(ProbeReading.bucket)
    )
    for r in query:
        series[r.probe_id].append(rules.Point(r.bucket, r.n, r.min_c, r.max_c, r.sum_c))
    status = {s.probe_id: s for s in ProbeStatus.select().where(ProbeStatus.probe_id.in_(ids))}
    out = []
    for device in configured:
        found, _grace, _expire = watched_range(coldchain, device.id, device.location)
        s = status.get(device.id)
        out.append(
            {
                "id": device.id,
                "location": device.location,
                "range": {"min_c": found.min_c, "max_c": found.max_c} if found else None,
                "celsius": s.last_celsius if s else None,
                "read_at": isoformat(s.last_reading_at) if s else None,
                "excursion": bool(s and s.excursion),
                "stale": bool(s and s.stale),
                "series": [
                    {"at": isoformat(p.at), "min_c": p.min_c, "max_c": p.max_c, "avg_c": p.avg_c}
                    for p in rules.coarsen(series[device.id], POINTS)
                ],
            }
        )
    return out
