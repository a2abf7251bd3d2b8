"""A tote's life, in the transaction of the input that moves it: free → in use (picking
fills it) → ready at a drop location (packing takes it) → free again; and its contents.
Hand-written where every pick runs it (server/rawsql.py)."""

from __future__ import annotations

from collections.abc import Sequence

from server import rawsql
from server.models import Location, Tote, ToteItem, utcnow
from server.models.totes import ToteStatus


def take(tote_id: int) -> None:
    """The tote is in use for an order (picking puts units in it)."""
    rawsql.update_one(
        Tote, tote_id, {"status": ToteStatus.IN_USE, "location": None, "updated_at": utcnow()}
    )


def set_ready(tote_ids: Sequence[int], location: Location) -> None:
    """The totes stand at `location` (the pack zone), ready to be emptied (one hand-written
    statement: a batch's drop sets twenty)."""
    ids = list(tote_ids)
    if not ids:
        return
    values = {"status": ToteStatus.READY, "location": location.id, "updated_at": utcnow()}
    rawsql.update_where(Tote, values, f'"id" IN ({rawsql.placeholders(len(ids))})', ids)


def items_of(tote_id: int, order_id: int) -> list[ToteItem]:
    """What the tote holds for an order, in the order it went in."""
    mine = (ToteItem.tote == tote_id) & (ToteItem.order == order_id)
    return list(ToteItem.select().where(mine).order_by(ToteItem.id))


def empty(tote_id: int, order_id: int) -> None:
    """The tote's units of this order are out (packed or put back)."""
    ToteItem.delete().where((ToteItem.tote == tote_id) & (ToteItem.order == order_id)).execute()


def free(tote_id: int) -> None:
    """The tote is empty and free for the next order."""
    Tote.update(status=ToteStatus.FREE, location=None, updated_at=utcnow()).where(
        Tote.id == tote_id
    ).execute()
