"""Versioned migrations: idempotent upgrade; the server refuses an out-of-date schema."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from server import db, migrations
from server.cli import cli
from tests.fixtures.database import on_postgres

pytestmark = pytest.mark.skipif(on_postgres, reason="uses its own SQLite files")


def env_for(url: str) -> dict[str, str]:
    return {"FLOORLINK_DATABASE_URL": url, "FLOORLINK_SECRET_KEY": "test"}


def test_upgrade_applies_everything_once(tmp_path: Path) -> None:
    database = db.bind(f"sqlite:///{tmp_path / 'm.db'}")
    try:
        first = migrations.upgrade()
        assert first and first[0] == "0001_foundation"
        assert migrations.upgrade() == []
        with database.connection_context():
            assert migrations.current_version() == migrations.latest_version()
            migrations.check_current()
    finally:
        database.close_all()


def test_sqlite_runs_in_wal_with_foreign_keys_and_full_sync(tmp_path: Path) -> None:
    database = db.bind(f"sqlite:///{tmp_path / 'p.db'}")
    try:
        with database.connection_context():
            pragma = {
                name: database.execute_sql(f"PRAGMA {name}").fetchone()[0]
                for name in ("journal_mode", "foreign_keys", "synchronous", "busy_timeout")
            }
    finally:
        database.close_all()
    assert pragma == {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "synchronous": 2,
        "busy_timeout": 10_000,
    }


def test_cli_db_upgrade_is_idempotent(tmp_path: Path) -> None:
    env = env_for(f"sqlite:///{tmp_path / 'c.db'}")
    runner = CliRunner()
    first = runner.invoke(cli, ["db", "upgrade"], env=env)
    again = runner.invoke(cli, ["db", "upgrade"], env=env)
    status = runner.invoke(cli, ["db", "status"], env=env)
    db.database.obj.close_all()
    assert first.exit_code == 0, first.output
    assert "applied: 0001_foundation" in first.output
    assert again.exit_code == 0 and "applied" not in again.output
    latest = migrations.latest_version()
    assert f"database: {latest}, this Floorlink: {latest}" in status.output


@pytest.mark.parametrize("prepare", ["empty", "behind"])
def test_serve_refuses_an_out_of_date_schema(tmp_path: Path, prepare: str) -> None:
    url = f"sqlite:///{tmp_path / 's.db'}"
    if prepare == "behind":
        database = db.bind(url)
        migrations.upgrade()
        with database.connection_context():
            top = migrations.SchemaVersion.select().order_by(
                migrations.SchemaVersion.version.desc()
            )
            top.get().delete_instance()
        database.close_all()
    result = CliRunner().invoke(cli, ["serve", "--port", "1"], env=env_for(url))
    db.database.obj.close_all()
    assert result.exit_code != 0
    assert "run `floorlink db upgrade`" in result.output


def test_a_missing_migration_below_the_highest_is_refused(tmp_path: Path) -> None:
    """A migration merged from a parallel branch may carry a lower number than one the
    database has already: the highest alone would say the schema is current."""
    url = f"sqlite:///{tmp_path / 'g.db'}"
    database = db.bind(url)
    migrations.upgrade()
    with database.connection_context():
        migrations.SchemaVersion.delete().where(migrations.SchemaVersion.version == 2).execute()
        with pytest.raises(migrations.SchemaOutOfDate, match="lacks migration.s. 0002"):
            migrations.check_current()
    database.close_all()
    result = CliRunner().invoke(cli, ["serve", "--port", "1"], env=env_for(url))
    db.database.obj.close_all()
    assert result.exit_code != 0 and "run `floorlink db upgrade`" in result.output
    database = db.bind(url)
    assert migrations.upgrade() == [f"0002_{migrations.available()[1][1]}"]  # what it lacked
    with database.connection_context():
        migrations.check_current()
    database.close_all()


def test_a_migration_this_code_does_not_know_is_refused(tmp_path: Path) -> None:
    database = db.bind(f"sqlite:///{tmp_path / 'n.db'}")
    migrations.upgrade()
    with database.connection_context():
        migrations.SchemaVersion.create(version=9999, name="from_a_newer_floorlink")
        with pytest.raises(migrations.SchemaOutOfDate, match="9999 that this Floorlink does not know"):  # fmt: skip
            migrations.check_current()
    database.close_all()


def test_serve_with_a_bad_config_names_the_key(tmp_path: Path) -> None:
    config = tmp_path / "f.toml"
    config.write_text('secret_key = "s"\nmystery = 1\n')
    result = CliRunner().invoke(cli, ["--config", str(config), "serve"], env={})
    assert result.exit_code != 0
    assert "unknown key 'mystery'" in result.output


def test_apikey_on_an_unmigrated_database_says_what_to_run(tmp_path: Path) -> None:
    env = env_for(f"sqlite:///{tmp_path / 'new.db'}")
    result = CliRunner().invoke(cli, ["apikey", "create", "x", "--scope", "oms"], env=env)
    db.database.obj.close_all()
    assert result.exit_code != 0
    assert "run `floorlink db upgrade`" in result.output


def test_unreachable_database_is_one_clear_line() -> None:
    env = env_for("postgresql://floorlink:secret@127.0.0.1:1/nowhere")
    result = CliRunner().invoke(cli, ["db", "upgrade"], env=env)
    db.database.obj.close_all()
    assert result.exit_code == 1
    assert "Error: database postgresql://floorlink:***@127.0.0.1:1/nowhere" in result.output
    assert "secret" not in result.output and "Traceback" not in result.output
