"""floorlink demo: seed a realistic site into a SQLite file and serve it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from server import db, migrations
from server.api import keys
from server.bootstrap import build_runtime
from server.cli.serve import serve
from server.config import Settings
from server.demo import seed

DEFAULT_DB = "var/demo.db"


def register(cli: click.Group) -> None:
    @cli.command("demo")
    @click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, help="SQLite file.")
    @click.option("--reset", is_flag=True, help="Start from an empty database.")
    @click.option("--port", default=8000, show_default=True, type=int)
    @click.option("--no-serve", is_flag=True, help="Seed and print, but do not serve.")
    @click.pass_obj
    def demo(ctx: Any, db_path: str, reset: bool, port: int, no_serve: bool) -> None:
        """Seed demo data (once) and serve it with embedded defaults."""
        if reset:
            for suffix in ("", "-wal", "-shm", ".seeded.txt"):
                Path(db_path + suffix).unlink(missing_ok=True)
        settings = ctx.settings(
            demo=True, database_url=f"sqlite:///{db_path}", server={"port": port}
        )
        lines = _prepare(settings, db_path)
        base = f"http://{settings.server.host}:{settings.server.port}"
        click.echo("")
        click.echo("Floorlink demo")
        click.echo(f"  Kiosk:        {base}/kiosk/")
        click.echo(f"  OMS API:      {base}/api/v1/  (OpenAPI: {base}/api/v1/openapi.json)")
        for line in lines:
            click.echo(f"  {line}")
        click.echo("")
        if not no_serve:
            serve(settings)


def _prepare(settings: Settings, path: str) -> list[str]:
    """Migrate, seed once, make fresh keys; the lines to print (operators' badges/PINs...)."""
    database = db.bind(settings.database_url)
    migrations.upgrade()
    remembered = Path(f"{path}.seeded.txt")
    with database.connection_context():
        if seed.is_seeded():
            lines = remembered.read_text().splitlines() if remembered.exists() else []
        else:
            lines = seed.seed(build_runtime(settings).spine)
            remembered.write_text("\n".join(lines) + "\n")  # shown again on later runs
        new = keys.create("demo-oms", "oms")
        admin = keys.create("demo-admin", "admin")
    lines.insert(0, f"OMS API key:  {new.secret}")
    lines.insert(1, f"Admin key:    {admin.secret}")
    database.close_all()
    return lines
