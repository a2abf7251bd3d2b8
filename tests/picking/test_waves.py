"""Manual release (picking.release = "manual"): accepted orders wait for a supervisor's wave."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from server.areas import load_settings
from server.cli import cli
from server.config import Settings
from server.models import Event
from tests.fixtures.app import Api
from tests.picking.conftest import order, post_order


@pytest.fixture
def settings(db_url: str) -> Settings:
    return load_settings(
        env={},
        database_url=db_url,
        secret_key="test-secret-key",
        relay={"enabled": False},
        mqtt={"enabled": False},
        picking={"release": "manual"},
    )


def due(external_id: str, ship_by: str, channel: str = "web", **lines: int) -> dict[str, Any]:
    return order(external_id, **lines) | {"ship_by": ship_by, "channel": channel}


def types_of(external_id: str) -> list[str]:
    rows = Event.select().where(Event.subject == f"order:{external_id}").order_by(Event.seq)
    return [e.type for e in rows]


def test_orders_wait_for_a_wave_most_urgent_first(
    site: Api, totes: list[str], picker_of: Any, admin_api: Api, database: Any
) -> None:
    post_order(site, due("LATE", "2030-01-03T12:00:00Z", MUG=1))
    post_order(site, due("SOON", "2030-01-01T12:00:00Z", MUG=1))
    post_order(site, due("SHOP", "2030-01-01T09:00:00Z", channel="store", PEN=1))
    assert types_of("SOON") == ["order.accepted", "order.held"]
    assert picker_of("P1").enter()["name"] == "pick.no_work"  # nothing released yet

    first = admin_api.post(
        "/picking/waves",
        {"limit": 100, "ship_by_before": "2030-01-02T00:00:00Z", "channel": "web"},
    )
    assert first.status_code == 200, first.json
    assert first.json == {"wave": first.json["wave"], "released": ["SOON"], "count": 1}
    assert first.json["wave"].startswith("wav_")  # kept: it may be held and released again
    assert types_of("SOON") == ["order.accepted", "order.held", "order.released"]
    p = picker_of("P1")
    assert p.enter()["name"] == "pick.scan_tote"
    assert p.screen["target"]["order"] == "SOON"

    rest = admin_api.post("/picking/waves", {"limit": 1})
    assert rest.json["released"] == ["SHOP"] and rest.json["count"] == 1  # due first
    last = admin_api.post("/picking/waves", {"limit": 100}).json
    assert last["released"] == ["LATE"] and last["wave"] not in (first.json["wave"], None)
    none = {"wave": None, "released": [], "count": 0}
    assert admin_api.post("/picking/waves", {"limit": 100}).json == none


def test_a_wave_leaves_a_supervisors_hold_alone(
    site: Api, totes: list[str], picker_of: Any, admin_api: Api, database: Any
) -> None:
    post_order(site, order("WEB-1", MUG=1))
    post_order(site, order("WEB-2", MUG=1))
    assert admin_api.post("/picking/waves", {"limit": 1}).json["released"] == ["WEB-1"]
    # a supervisor's own hold (fraud check) survives every wave
    assert admin_api.post("/picking/orders/WEB-1/hold", {"reason": "fraud"}).status_code == 200
    assert admin_api.post("/picking/waves", {"limit": 100}).json["released"] == ["WEB-2"]
    assert admin_api.post("/picking/waves", {"limit": 100}).json["released"] == []
    assert admin_api.post("/picking/orders/WEB-1/release", {}).status_code == 200
    assert picker_of("P1").enter()["name"] == "pick.scan_tote"


def test_a_cancelled_order_is_not_released(site: Api, admin_api: Api, database: Any) -> None:
    post_order(site, order("WEB-1", MUG=1))
    assert site.post("/orders/WEB-1/cancel", {"reason": "customer"}).status_code == 200
    assert admin_api.post("/picking/waves", {"limit": 100}).json["released"] == []
    assert types_of("WEB-1") == ["order.accepted", "order.held", "order.cancelled"]


def test_bad_wave_requests_are_refused_and_release_nothing(
    site: Api, admin_api: Api, database: Any
) -> None:
    post_order(site, order("WEB-1", MUG=1))
    bad = [
        {},  # how many: always said
        {"limit": 0},
        {"limit": 5, "ship_by_before": "tomorrow"},
        {"limit": 5, "channel": ""},
        {"limit": 5, "lim": 3},
    ]
    for body in bad:
        answer = admin_api.post("/picking/waves", body)
        assert answer.status_code == 422, (body, answer.json)
        assert answer.content_type == "application/problem+json"
    assert site.post("/picking/waves", {"limit": 5}).status_code == 403
    assert types_of("WEB-1") == ["order.accepted", "order.held"]


def test_a_wave_from_the_cli(site: Api, db_url: str, tmp_path: Path) -> None:
    post_order(site, due("SOON", "2030-01-01T12:00:00Z", MUG=1))
    post_order(site, due("LATE", "2030-01-03T12:00:00Z", MUG=1))
    config = tmp_path / "floorlink.toml"
    config.write_text(f'database_url = "{db_url}"\nsecret_key = "k"\n')
    args = ["--config", str(config), "picking", "wave", "--ship-by-before", "2030-01-02"]
    done = CliRunner().invoke(cli, args)
    assert done.exit_code == 0, done.output
    answer = json.loads(done.output)
    assert answer == {"wave": answer["wave"], "released": ["SOON"], "count": 1}
    bad = CliRunner().invoke(cli, ["--config", str(config), "picking", "wave", "--limit", "0"])
    assert bad.exit_code == 2 and "--limit" in bad.output
