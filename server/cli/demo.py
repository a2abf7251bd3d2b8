"""floorlink demo: seed a realistic site into a SQLite file and serve it, with the pack
station PACK-01's printer and scale running beside it (server/demo/station.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from server import db, migrations
from server.api import keys
from server.bootstrap import build_runtime
from server.cli.serve import serve
from server.config import Settings
from server.demo import seed
from server.demo.floor_sim import FloorSimulation
from server.demo.station import PACKING, DemoStation, parse_weight

DEFAULT_DB = "var/demo.db"


def labels_dir(db_path: str) -> Path:
    """Where the demo printer keeps its labels: var/demo-labels/ beside var/demo.db."""
    return Path(db_path).parent / "demo-labels"


def scale_knob(db_path: str) -> Path:
    """What `floorlink demo scale` told the demo scale (var/demo.db.scale)."""
    return Path(f"{db_path}.scale")


def register(cli: click.Group) -> None:
    @cli.group("demo", invoke_without_command=True)
    @click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, help="SQLite file.")
    @click.option("--reset", is_flag=True, help="Start from an empty database.")
    @click.option("--port", default=8000, show_default=True, type=int)
    @click.option("--no-serve", is_flag=True, help="Seed and print, but do not serve.")
    @click.option(
        "--no-simulation",
        is_flag=True,
        help="No simulated floor (probes, doors, lights over MQTT; pickers working orders).",
    )
    @click.pass_context
    def demo(
        click_ctx: click.Context,
        db_path: str,
        reset: bool,
        port: int,
        no_serve: bool,
        no_simulation: bool,
    ) -> None:
        """Seed demo data (once) and serve it with embedded defaults: the pack station
        PACK-01 has a virtual label printer and a simulated scale."""
        if click_ctx.invoked_subcommand is None:
            run_demo(click_ctx.obj, db_path, reset, port, no_serve, not no_simulation)

    @demo.command("scale")
    @click.argument("weight")
    @click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, help="SQLite file.")
    def scale(weight: str, db_path: str) -> None:
        """Set what the demo scale at PACK-01 weighs the next package at.

        WEIGHT is auto (what the weigh screen expects; the default), a weight in grams
        (900), or +N / -N grams off the expected weight (+400: a mismatch to override)."""
        try:
            value = parse_weight(weight)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="WEIGHT") from None
        knob = scale_knob(db_path)
        knob.parent.mkdir(parents=True, exist_ok=True)
        knob.write_text(value + "\n")
        click.echo(f"The demo scale weighs the next package at {_said(value)}.")


def run_demo(
    ctx: Any, db_path: str, reset: bool, port: int, no_serve: bool, simulate: bool = True
) -> None:
    if reset:
        for suffix in ("", "-wal", "-shm", ".seeded.txt", ".scale"):
            Path(db_path + suffix).unlink(missing_ok=True)
    database_url = f"sqlite:///{db_path}"
    station = None
    floor = FloorSimulation(Path(db_path).parent) if simulate and not no_serve else None
    if not no_serve:  # the station's devices first: the settings name their addresses
        station = DemoStation(database_url, labels_dir(db_path), scale_knob(db_path)).start()
    try:
        devices = station.settings() if station else {"packing": PACKING}
        if floor is not None:
            devices = floor.settings(devices)
        settings = ctx.settings(
            demo=True, database_url=database_url, server={"port": port}, **devices
        )
        lines = _prepare(settings, db_path)
        if floor is not None:
            lines += _simulated(floor, settings)
        base = f"http://{settings.server.host}:{settings.server.port}"
        click.echo("")
        click.echo("Floorlink demo")
        click.echo(f"  Kiosk:        {base}/kiosk/")
        click.echo(f"  Floor board:  {base}/kiosk/board  (log in as a supervisor)")
        click.echo(f"  OMS API:      {base}/api/v1/  (OpenAPI: {base}/api/v1/openapi.json)")
        for line in [*lines, *(station.lines() if station else [])]:
            click.echo(f"  {line}")
        click.echo("")
        if station is not None:
            station.follow(on_label=_printed(base))
            if floor is not None:
                floor.start(base, settings.site)
            serve(settings)
    finally:
        if floor is not None:
            floor.stop()
        if station is not None:
            station.stop()


def _said(value: str) -> str:
    if value == "auto":
        return "the weight its weigh screen expects"
    if value[0] in "+-":
        return f"the expected weight {value} g"
    return f"{value} g"


def _printed(base: str) -> Callable[[str, Path], None]:
    def echo(sscc: str, path: Path) -> None:
        click.echo(f"  label {sscc} printed: {path} (PNG: {base}/api/v1/packages/{sscc}/label.png)")

    return echo


def _simulated(floor: FloorSimulation, settings: Settings) -> list[str]:
    """The simulated floor's site, operators and kiosks (server/demo/floor_sim.py)."""
    database = db.bind(settings.database_url)
    try:
        return floor.prepare(build_runtime(settings).spine)
    finally:
        database.close_all()


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
