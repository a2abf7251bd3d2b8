"""API keys of integrators: stored hashed, with scopes."""

from __future__ import annotations

import peewee

from server.models.base import BaseModel, utcnow

API_SCOPES = ("oms", "admin")


class ApiKey(BaseModel):
    name = peewee.CharField(max_length=100)
    prefix = peewee.CharField(max_length=16, unique=True)
    key_hash = peewee.CharField(max_length=64)
    scope = peewee.CharField(max_length=16)
    created_at = peewee.DateTimeField(default=utcnow)
    revoked_at = peewee.DateTimeField(null=True)
