"""The board's own state: which supervisor exceptions a supervisor acknowledged (seen, being
handled) without resolving them yet."""

from __future__ import annotations

import peewee

from server.models.base import BaseModel, utcnow


class ExceptionAck(BaseModel):
    exception_id = peewee.CharField(max_length=40, unique=True)
    by = peewee.CharField(max_length=128)
    note = peewee.CharField(max_length=500, default="")
    at = peewee.DateTimeField(default=utcnow)


BOARD_MODELS = [ExceptionAck]
