"""GET /api/v1/events: the event feed the OMS reconciles with (same objects as webhooks).

The cursor is opaque (the last position read). Positions follow commit order (eventlog's
EventHead lock), so reading `position > cursor` never skips an event that committed late.
"""

from __future__ import annotations

import functools
import operator
from typing import Annotated, Any

from flask import Blueprint
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from server import eventlog
from server.api import pagination
from server.api.routing import operation
from server.errors import InvalidInput, MalformedRequest, field_error
from server.models import Event
from server.operations import CODE_PATTERN
from server.sync import filters

bp = Blueprint("events", __name__, url_prefix="/api/v1")


class EventQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    after: Annotated[str, StringConstraints(max_length=200, pattern=CODE_PATTERN)] | None = None
    limit: int = Field(default=100, ge=1, le=1000)
    types: Annotated[str, StringConstraints(max_length=1000, pattern=CODE_PATTERN)] | None = None


class EventOut(BaseModel):
    id: str
    type: str
    timestamp: str
    subject: str
    seq: int
    actor: str | None
    data: dict[str, Any]


class EventPage(BaseModel):
    data: list[EventOut]
    next_cursor: str | None
    has_more: bool


def type_patterns(types: str | None) -> list[str]:
    patterns = [t.strip() for t in (types or "").split(",") if t.strip()]
    bad = [p for p in patterns if not filters.valid_pattern(p)]
    if bad:
        raise InvalidInput(
            "some event types are not valid",
            [field_error("query.types", f"not an event type or pattern: {', '.join(bad)}")],
        )
    return patterns


def _after(cursor: str | None) -> int:
    key = pagination.decode(cursor, 1)
    if key is None:
        return 0
    if not isinstance(key[0], int) or isinstance(key[0], bool) or key[0] < 0:
        raise MalformedRequest("the cursor is not one this server gave out")
    return key[0]


def _type_condition(patterns: list[str]) -> Any:
    exact = [p for p in patterns if not p.endswith(".*")]
    conditions = [Event.type.in_(exact)] if exact else []
    conditions += [Event.type.startswith(p[:-1]) for p in patterns if p.endswith(".*")]
    return functools.reduce(operator.or_, conditions)


@operation(
    bp,
    "/events",
    "GET",
    access="oms",
    tag="events",
    query=EventQuery,
    summary="Events in commit order after a cursor (types: comma list, `order.*` wildcards)",
    responses={200: ("A page of events", EventPage)},
)
def list_events(query: EventQuery) -> Any:
    after = _after(query.after)
    patterns = type_patterns(query.types)
    rows = Event.select().where(Event.position > after)
    if patterns and "*" not in patterns:
        rows = rows.where(_type_condition(patterns))
    fetched = list(rows.order_by(Event.position).limit(query.limit + 1))
    fetched, _, has_more = pagination.page(fetched, query.limit, lambda e: [e.position])
    # The cursor always moves to the last row read, so an empty page keeps the place.
    last = fetched[-1].position if fetched else after
    return {
        "data": [eventlog.public(e) for e in fetched],
        "next_cursor": pagination.encode([last]),
        "has_more": has_more,
    }
