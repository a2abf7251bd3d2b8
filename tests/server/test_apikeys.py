"""API keys: created once by the CLI, stored hashed, listed, revoked; 401 and 403."""

from __future__ import annotations

from typing import Any

from click.testing import CliRunner
from flask.testing import FlaskClient

from server.cli import cli
from server.config import Settings
from server.db import database
from server.models import ApiKey


def run(settings: Settings, *args: str) -> Any:
    env = {"FLOORLINK_DATABASE_URL": settings.database_url, "FLOORLINK_SECRET_KEY": "t"}
    result = CliRunner().invoke(cli, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_create_prints_once_list_and_revoke(
    settings: Settings, client: FlaskClient, admin_key: str
) -> None:
    created = run(settings, "apikey", "create", "shop-oms", "--scope", "oms")
    secret = created.stdout.strip().splitlines()[0]
    assert secret.startswith("flk_")
    with database.connection_context():
        row = ApiKey.get(ApiKey.name == "shop-oms")
    assert secret not in row.key_hash and len(row.key_hash) == 64  # a digest, not the key
    listed = run(settings, "apikey", "list").stdout
    assert "shop-oms" in listed and secret not in listed and "active" in listed
    assert client.get("/api/v1/orders", headers=bearer(secret)).status_code == 200

    run(settings, "apikey", "revoke", row.prefix)
    assert "revoked" in run(settings, "apikey", "list").stdout
    refused = client.get("/api/v1/orders", headers=bearer(secret))
    assert refused.status_code == 401
    assert refused.content_type == "application/problem+json"
    api_list = client.get("/api/v1/apikeys", headers=bearer(admin_key)).json["data"]
    assert {k["name"]: bool(k["revoked_at"]) for k in api_list}["shop-oms"] is True
    assert all(secret not in str(k) for k in api_list)


def test_revoking_an_unknown_key_fails_clearly(settings: Settings, app: Any) -> None:
    env = {"FLOORLINK_DATABASE_URL": settings.database_url, "FLOORLINK_SECRET_KEY": "t"}
    result = CliRunner().invoke(cli, ["apikey", "revoke", "nope"], env=env)
    assert result.exit_code != 0 and "no active key" in result.output


def test_missing_or_malformed_keys_are_401(client: FlaskClient, oms_key: str) -> None:
    for headers in (
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Basic abc"},
        {"Authorization": "Bearer flk_nope_nope"},
        {"Authorization": oms_key},
        {"Authorization": f"Bearer {oms_key}x"},
        {"Authorization": "Bearer flk_\u00e9\u00e9_x"},
    ):
        response = client.get("/api/v1/stock", headers=headers)
        assert response.status_code == 401, headers
        assert response.json["type"].endswith("/unauthorized")


def test_oms_key_on_an_admin_route_is_403(client: FlaskClient, oms_key: str) -> None:
    response = client.get("/api/v1/apikeys", headers=bearer(oms_key))
    assert response.status_code == 403
    assert response.content_type == "application/problem+json"


def test_admin_key_may_use_admin_and_oms_routes(client: FlaskClient, admin_key: str) -> None:
    assert client.get("/api/v1/apikeys", headers=bearer(admin_key)).status_code == 200
    assert client.get("/api/v1/stock", headers=bearer(admin_key)).status_code == 200


def test_public_routes_need_no_key(client: FlaskClient) -> None:
    assert client.get("/api/v1/health").json == {"status": "ok"}
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.1")
    assert document["paths"]["/api/v1/apikeys"]["get"]["x-required-scope"] == "admin"
