"""The deploy files as shipped: the site's TOML loads with what the systemd unit adds, and
a PostgreSQL backup made as docs/deployment.md says (pg_dump -Fc), restored into a fresh
database, serves the same orders."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import peewee
import pytest
import requests

from server.api import keys
from server.areas import load_settings
from tests.fixtures.database import on_postgres
from tests.fixtures.site import LOCATIONS, PRODUCTS
from tests.fixtures.site_parts import ROOT, Serve
from tests.picking.live import STOCK, Http

DEPLOY = ROOT / "deploy"


def unit_environment(name: str, instance: str) -> dict[str, str]:
    text = (DEPLOY / "systemd" / name).read_text()
    pairs = re.findall(r"^Environment=(\w+)=(.*)$", text, flags=re.M)
    return {k: v.replace("%i", instance) for k, v in pairs}


def test_the_site_toml_loads_with_each_serve_instance_environment() -> None:
    env = unit_environment("floorlink-serve@.service", "1")
    env["FLOORLINK_CONFIG"] = str(DEPLOY / "floorlink-site.toml")
    env["FLOORLINK_SECRET_KEY"] = "from-secrets-env"
    settings = load_settings(env=env)
    assert settings.section("mqtt").partition == 1
    assert settings.section("mqtt").partitions == 2
    assert settings.server.port == 8001
    assert settings.server.cpu == 1  # each process on its own CPU
    assert settings.message_queue == "redis://127.0.0.1:6379/0"
    assert not settings.is_sqlite


def _other_database(url: str, name: str) -> str:
    parts = urlparse(url)
    return urlunparse(parts._replace(path=f"/{name}"))


@pytest.mark.slow
@pytest.mark.skipif(not on_postgres, reason="PostgreSQL's backup and restore")
def test_a_backup_restored_into_a_fresh_database_serves_the_same_orders(
    tmp_path: Path, db_url: str, database: peewee.Database
) -> None:
    key = keys.create("oms", "oms").secret
    config = tmp_path / "a.toml"
    config.write_text(
        f'database_url = "{db_url}"\nsecret_key = "t"\n[relay]\nenabled = false\n'
        "[mqtt]\nenabled = false\n"
    )
    first = Serve("serve", tmp_path, config).start()
    try:
        first.wait_healthy()
        oms = Http(first.base, key)
        assert oms.put("/products", {"products": PRODUCTS}).status_code == 200
        assert oms.put("/locations", {"locations": LOCATIONS}).status_code == 200
        assert oms.post("/stock/adjustments", {"adjustments": STOCK}).status_code == 200
        for i in range(5):
            body = {
                "external_id": f"B-{i}",
                "channel": "web",
                "lines": [{"line_id": "1", "sku": "PEN", "qty": i + 1}],
            }
            assert (
                oms.post("/orders", body, headers={"Idempotency-Key": f"B-{i}"}).status_code == 201
            )
        before = requests.get(f"{first.base}/api/v1/orders", headers=oms.http.headers, timeout=10)
        assert before.status_code == 200
    finally:
        first.kill()

    dump = tmp_path / "floorlink.dump"
    subprocess.run(["pg_dump", "-Fc", "-f", str(dump), "--dbname", db_url], check=True)
    name = f"{urlparse(db_url).path.lstrip('/')}_restored"
    restored_url = _other_database(db_url, name)
    admin = _other_database(db_url, "postgres")
    subprocess.run(["psql", "-q", admin, "-c", f'DROP DATABASE IF EXISTS "{name}"'], check=True)
    subprocess.run(["psql", "-q", admin, "-c", f'CREATE DATABASE "{name}"'], check=True)
    try:
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", "--dbname", restored_url, str(dump)],
            check=True,
        )
        config_b = tmp_path / "b.toml"
        config_b.write_text(config.read_text().replace(db_url, restored_url))
        second = Serve("restored", tmp_path, config_b).start()
        try:
            second.wait_healthy()
            after = requests.get(
                f"{second.base}/api/v1/orders", headers=oms.http.headers, timeout=10
            )
            assert after.status_code == 200
            assert after.json() == before.json()
            assert len(after.json()["data"]) == 5
        finally:
            second.kill()
    finally:
        subprocess.run(["psql", "-q", admin, "-c", f'DROP DATABASE IF EXISTS "{name}"'], check=True)
