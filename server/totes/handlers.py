"""Registering totes (the OMS or a supervisor: PUT /api/v1/totes)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from server.models import Tote
from server.spine import Handlers, Unit
from server.totes.events import ToteRegistered

HANDLERS = Handlers()


@dataclass(frozen=True)
class UpsertTotes:
    codes: list[str]


@HANDLERS.handles(UpsertTotes)
def upsert_totes(cmd: UpsertTotes, unit: Unit) -> dict[str, Any]:
    known = {t.code for t in Tote.select(Tote.code).where(Tote.code.in_(cmd.codes))}
    new = [code for code in dict.fromkeys(cmd.codes) if code not in known]
    if new:
        Tote.insert_many([{"code": code} for code in new]).execute()
    for code in new:
        unit.record(ToteRegistered(code))
    return {"created": len(new), "unchanged": len(set(cmd.codes)) - len(new)}
