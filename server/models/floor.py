"""The floor: operators, kiosk devices, operator sessions and failed PIN attempts."""

from __future__ import annotations

import peewee

from server.models.base import BaseModel, JSONField, utcnow

OPERATOR_ROLES = ("picker", "packer", "returns", "dispatcher", "supervisor", "admin")
KIOSK_KINDS = ("handheld", "station")


class FloorOperator(BaseModel):
    """A person on the floor: a badge code, an argon2id PIN hash and roles."""

    badge = peewee.CharField(max_length=64, unique=True)
    name = peewee.CharField(max_length=100)
    roles = JSONField(default=list)
    pin_hash = peewee.CharField(max_length=200)
    active = peewee.BooleanField(default=True)
    created_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "floor_operator"


class KioskDevice(BaseModel):
    """A handheld or station kiosk: an enrollment code once, then a device token (hashed)."""

    device_id = peewee.CharField(max_length=64, primary_key=True)
    kind = peewee.CharField(max_length=16)
    station = peewee.CharField(max_length=64, null=True)
    code_hash = peewee.CharField(max_length=64, null=True)
    code_expires_at = peewee.DateTimeField(null=True)
    token_hash = peewee.CharField(max_length=64, null=True, unique=True)
    enrolled_at = peewee.DateTimeField(null=True)
    revoked_at = peewee.DateTimeField(null=True)
    last_seen = peewee.DateTimeField(null=True)
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "kiosk_device"


class FloorSession(BaseModel):
    """An operator logged in on a kiosk: the flow, its scratch state and the last screen."""

    session_id = peewee.CharField(max_length=40, primary_key=True)
    token_hash = peewee.CharField(max_length=64)
    operator = peewee.IntegerField(index=True)
    badge = peewee.CharField(max_length=64, index=True)
    device_id = peewee.CharField(max_length=64, index=True)
    station = peewee.CharField(max_length=64, null=True, index=True)
    flow = peewee.CharField(max_length=32, null=True)
    state = JSONField(default=dict)
    screen = JSONField(null=True)
    started_at = peewee.DateTimeField(default=utcnow)
    last_seen = peewee.DateTimeField(default=utcnow)
    ended_at = peewee.DateTimeField(null=True, index=True)
    end_reason = peewee.CharField(max_length=32, null=True)

    class Meta:
        table_name = "floor_session"


class PinFailure(BaseModel):
    """One wrong PIN (or unknown badge): counted per badge within the lockout window."""

    badge = peewee.CharField(max_length=64, index=True)
    device_id = peewee.CharField(max_length=64)
    failed_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "pin_failure"


class BadgeLock(BaseModel):
    """A badge locked after too many wrong PINs, until a supervisor unlocks it."""

    badge = peewee.CharField(max_length=64, primary_key=True)
    locked_at = peewee.DateTimeField(default=utcnow)
    device_id = peewee.CharField(max_length=64)

    class Meta:
        table_name = "badge_lock"


FLOOR_MODELS = [FloorOperator, KioskDevice, FloorSession, PinFailure, BadgeLock]
