"""`floorlink serve` warns at start when PostgreSQL cannot take its pool (server.threads + 8
connections): past max_connections new connections are refused, and inputs get 503 under
load long after a start that looked fine (bench/scale_out.py met it with 4 processes of 64
threads on a max_connections of 100)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import peewee
import pytest

from server import db
from server.cli.serve import MIN_POOL, SPARE_CONNECTIONS, fit_pool
from tests.fixtures.database import on_postgres
from tests.server.test_serve_process import free_port


def test_a_pool_that_fits_is_kept_without_a_word() -> None:
    assert fit_pool(72, (400, 3, 100)) == (72, None)
    assert fit_pool(72, (100, 3, 25)) == (72, None)  # exactly 72 free


def test_a_pool_that_does_not_fit_is_lowered_and_the_warning_says_what_to_change() -> None:
    pool, warning = fit_pool(72, (100, 3, 80))
    assert pool == 17 - SPARE_CONNECTIONS  # requests wait for one of these, no "too many clients"
    assert warning is not None
    assert "may open 72 PostgreSQL connections" in warning
    assert "only 17 are free (max_connections 100, 3 reserved for superusers, 80 in use)" in warning
    assert f"it keeps at most {pool}" in warning
    assert "max_connections" in warning and "server.threads" in warning
    pool, warning = fit_pool(72, (100, 3, 200))
    assert pool == MIN_POOL and "only 0 are free" in (warning or "")


@pytest.mark.skipif(not on_postgres, reason="PostgreSQL's connection limit")
def test_the_room_is_read_from_postgresql(database: peewee.Database) -> None:
    limit, reserved, used = db.connection_room()
    assert limit >= 20 and 0 <= reserved < limit
    assert 0 <= used < limit  # this check's own connection is not counted


@pytest.mark.slow
@pytest.mark.skipif(not on_postgres, reason="PostgreSQL's connection limit")
def test_serve_warns_at_start_when_its_pool_cannot_fit(
    database: peewee.Database, db_url: str
) -> None:
    if fit_pool(1008, db.connection_room())[1] is None:
        pytest.skip("this PostgreSQL takes 1,008 more connections")
    env = os.environ | {
        "FLOORLINK_DATABASE_URL": db_url,
        "FLOORLINK_SECRET_KEY": "test",
        "FLOORLINK_RELAY__ENABLED": "false",
        "FLOORLINK_MQTT__ENABLED": "false",
        "FLOORLINK_SERVER__THREADS": "1000",  # the most it takes: 1,008 connections
    }
    env.pop("FLOORLINK_CONFIG", None)
    port = free_port()
    serve = [str(Path(sys.executable).parent / "floorlink"), "serve", "--port", str(port)]
    proc = subprocess.Popen(serve, env=env, stderr=subprocess.PIPE, start_new_session=True)
    try:
        assert proc.stderr is not None
        deadline, said = time.monotonic() + 30, b""
        while b"Warning: this process may open 1008" not in said:
            assert time.monotonic() < deadline and proc.poll() is None, said
            said += proc.stderr.readline()
        assert b"it keeps at most" in said and b"Raise max_connections" in said
        while True:  # and serves, on the pool it fitted
            assert time.monotonic() < deadline and proc.poll() is None
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/api/v1/health", timeout=2
                ) as r:
                    assert r.status == 200
                    break
            except OSError:
                time.sleep(0.2)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
        if proc.stderr is not None:
            proc.stderr.close()
