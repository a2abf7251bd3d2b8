"""What lets several processes serve one site, part by part: the SQLite refusal, the lease
of a site-wide job, the message queue's setting."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

import pytest

from server import db
from server.config import load_settings
from server.leases import Lease
from tests.fixtures.database import on_postgres
from tests.fixtures.site_parts import FLOORLINK, Serve, wait_until


def test_redis_url_from_the_environment_or_the_realtime_section() -> None:
    assert load_settings(env={"FLOORLINK_DEMO": "1"}).message_queue is None
    env = {"FLOORLINK_DEMO": "1", "FLOORLINK_REDIS_URL": "redis://r1:6379/0"}
    assert load_settings(env=env).message_queue == "redis://r1:6379/0"
    env["FLOORLINK_REALTIME__REDIS_URL"] = "redis://r2:6379/0"
    assert load_settings(env=env).message_queue == "redis://r2:6379/0"


@pytest.mark.slow
def test_a_second_serve_on_one_sqlite_file_is_refused_and_says_to_use_postgresql(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'site.db'}"
    config = tmp_path / "floorlink.toml"
    config.write_text(
        f'database_url = "{url}"\nsecret_key = "t"\n[relay]\nenabled = false\n'
        "[mqtt]\nenabled = false\n"
    )
    upgrade = subprocess.run(
        [FLOORLINK, "--config", str(config), "db", "upgrade"], capture_output=True, timeout=60
    )
    assert upgrade.returncode == 0, upgrade.stderr
    first = Serve("first", tmp_path, config).start()
    try:
        first.wait_healthy()
        second = subprocess.run(
            [FLOORLINK, "--config", str(config), "serve", "--port", "1"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode != 0
        assert "use PostgreSQL" in second.stderr, second.stderr
        assert "site.db" in second.stderr
    finally:
        first.kill()
    # the lock goes with the process, even killed -9: a new serve starts
    again = Serve("again", tmp_path, config).start()
    try:
        again.wait_healthy()
    finally:
        again.kill()


@pytest.mark.skipif(not on_postgres, reason="the lease is PostgreSQL's advisory lock")
def test_a_lease_is_held_by_one_holder_at_a_time_and_passes_on_when_it_goes(
    db_url: str,
) -> None:
    db.bind(db_url)
    first, second = Lease("test job"), Lease("test job")
    other = Lease("another job")
    try:
        assert first.held()
        assert not second.held()
        assert first.held()  # kept
        assert other.held()  # another job, its own lock
        first._conn.close()  # the holder's connection gone (a process killed)
        # taken over at one of its next turns (PostgreSQL ends the session just after)
        wait_until(second.held, 10, "the lease was not taken over")
        assert not first.held()
        second.release()
        results: list[bool] = []
        racers = [Lease("test job") for _ in range(8)]
        threads = [threading.Thread(target=lambda r=r: results.append(r.held())) for r in racers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(results) == [False] * 7 + [True]
        for r in racers:
            r.release()
    finally:
        for lease in (first, second, other):
            lease.release()


def test_on_sqlite_a_lease_is_always_held(tmp_path: Path) -> None:
    db.bind(f"sqlite:///{tmp_path / 'one.db'}")
    assert Lease("x").held() and Lease("x").held()
