"""Admin-scoped API: the API keys (never their secrets)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from pydantic import BaseModel

from server.api.routing import operation
from server.models import ApiKey, isoformat

bp = Blueprint("admin", __name__, url_prefix="/api/v1")


class ApiKeyOut(BaseModel):
    id: str
    name: str
    scope: str
    created_at: str
    revoked_at: str | None


class ApiKeyList(BaseModel):
    data: list[ApiKeyOut]


@operation(
    bp,
    "/apikeys",
    "GET",
    access="admin",
    tag="admin",
    summary="The API keys, active and revoked (never their secrets)",
    responses={200: ("Every API key", ApiKeyList)},
)
def list_api_keys() -> Any:
    return {"data": [key_view(k) for k in ApiKey.select().order_by(ApiKey.id)]}


def key_view(key: ApiKey) -> dict[str, Any]:
    return {
        "id": key.prefix,
        "name": key.name,
        "scope": key.scope,
        "created_at": isoformat(key.created_at),
        "revoked_at": isoformat(key.revoked_at),
    }
