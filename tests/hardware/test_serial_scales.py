"""Serial MT-SICS scales of the server, read from a simulated scale on a real pseudo-terminal:
the reading in GET /api/v1/devices, each new stable weight sent on to the "weight" route
once (as a bridge does), unplug and replug."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from devices.simulated import SimulatedScale
from server.areas import load_settings
from server.hardware.routes import DeviceEvent
from tests.hardware.conftest import Server, wait_for

SCALE = "scale-pack-01"


class WeightFeed:
    """Stands in for packing's "weight" device route (our own interface, not a library)."""

    def __init__(self) -> None:
        self.events: list[DeviceEvent] = []
        self._lock = threading.Lock()

    def __call__(self, spine: Any, event: DeviceEvent) -> None:
        with self._lock:
            self.events.append(event)

    def grams(self) -> list[float]:
        with self._lock:
            return [e.data["grams"] for e in self.events]


@pytest.fixture
def sim_scale(tmp_path: Path) -> Iterator[SimulatedScale]:
    link = tmp_path / "dev" / "serial" / "by-id" / "usb-Mettler_Toledo_scale-if00"
    scale = SimulatedScale(SCALE, link, stream_interval=0.05)
    scale.start()
    yield scale
    scale.stop()


def scale_row(server: Server, admin_key_for: Callable[..., Any]) -> dict[str, Any]:
    rows = {row["id"]: row for row in admin_key_for(server)["data"]}
    return rows[SCALE]


@pytest.mark.parametrize("mode", ["poll", "continuous"])
def test_readings_are_state_and_each_new_stable_weight_goes_to_the_route_once(
    db_url: str,
    sim_scale: SimulatedScale,
    server_factory: Callable[..., Server],
    admin_key_for: Callable[..., Any],
    mode: str,
) -> None:
    settings = load_settings(
        env={},
        database_url=db_url,
        secret_key="test-secret-key",
        relay={"enabled": False},
        mqtt={"enabled": False},
        scales=[{"id": SCALE, "port": sim_scale.path, "station": "PACK-01", "mode": mode,
                 "poll_interval": 0.05}],
    )  # fmt: skip
    feed = WeightFeed()
    server = server_factory(settings)
    server.runtime.device_routes["weight"] = feed  # (the empty pan may have gone before)
    sim_scale.set_weight(500.0)
    wait_for(lambda: feed.grams()[-1:] == [500.0], what="a first stable weight sent on")
    row = scale_row(server, admin_key_for)
    assert (row["kind"], row["source"], row["station"], row["availability"]) == (
        "scale", "serial", "PACK-01", "online",
    )  # fmt: skip
    assert row["state"]["port"] == sim_scale.path

    sim_scale.set_weight(812.0, stable=False)  # still moving: state only
    wait_for(lambda: scale_row(server, admin_key_for)["state"]["grams"] == 812.0)
    assert scale_row(server, admin_key_for)["state"]["stable"] is False
    sim_scale.set_weight(1234.5)
    wait_for(lambda: feed.grams()[-1:] == [1234.5], what="the settled weight sent on")
    threading.Event().wait(0.4)  # read again and again: no second event
    assert feed.grams()[-2:] == [500.0, 1234.5] and feed.grams().count(1234.5) == 1
    event = feed.events[-1]
    assert (event.type, event.origin, event.kind, event.station) == (
        "weight", "serial", "scale", "PACK-01",
    )  # fmt: skip
    assert event.data == {"grams": 1234.5, "stable": True}
    _, session, seq = feed.events[-1].event_id.split(":")
    assert [e.input_id for e in feed.events[-2:]] == [
        f"serial:{SCALE}:{session}:{int(seq) - 1}",
        f"serial:{SCALE}:{session}:{seq}",
    ]
    row = scale_row(server, admin_key_for)
    assert row["state"]["grams"] == 1234.5 and row["state"]["stable"] is True
    assert row["last_event"]["event_id"] == f"{SCALE}:{session}:{seq}"


def test_unplug_shows_offline_and_replug_reads_again(
    db_url: str,
    sim_scale: SimulatedScale,
    server_factory: Callable[..., Server],
    admin_key_for: Callable[..., Any],
) -> None:
    settings = load_settings(
        env={},
        database_url=db_url,
        secret_key="test-secret-key",
        relay={"enabled": False},
        mqtt={"enabled": False},
        scales=[{"id": SCALE, "port": sim_scale.path, "station": "PACK-01",
                 "poll_interval": 0.05}],
    )  # fmt: skip
    feed = WeightFeed()
    server = server_factory(settings)
    server.runtime.device_routes["weight"] = feed
    wait_for(lambda: scale_row(server, admin_key_for)["availability"] == "online")
    sim_scale.pty.unplug()
    wait_for(lambda: scale_row(server, admin_key_for)["availability"] == "offline")
    sim_scale.pty.replug()
    sim_scale.set_weight(640.0)
    wait_for(lambda: scale_row(server, admin_key_for)["availability"] == "online", timeout=20)
    wait_for(lambda: 640.0 in feed.grams(), what="a weight after the replug")


def test_the_devices_list_shows_a_configured_scale_offline_before_it_is_read(
    db_url: str, tmp_path: Path, server_factory: Callable[..., Server], admin_key_for: Any
) -> None:
    settings = load_settings(
        env={},
        database_url=db_url,
        secret_key="test-secret-key",
        relay={"enabled": False},
        mqtt={"enabled": False},
        scales=[{"id": SCALE, "port": str(tmp_path / "nothing-here"), "station": "PACK-01"}],
    )
    server = server_factory(settings)
    row = scale_row(server, admin_key_for)
    assert row["availability"] == "offline" and row["state"]["grams"] is None


def test_a_wrong_scale_setting_is_refused_by_name(db_url: str) -> None:
    from server.config import ConfigError

    scale = {"id": SCALE, "port": "/dev/null", "mode": "stream"}
    with pytest.raises(ConfigError, match="scales"):
        load_settings(env={}, database_url=db_url, secret_key="k", scales=[scale])
