"""floorlink operator ... and floorlink device ...: the floor's admin operations from the CLI,
with their arguments, options and printed lines (docs/kiosk.md), run as `cli:<user>`."""

from __future__ import annotations

import getpass
from pathlib import Path

from server import db
from server.models import BadgeLock, Event, utcnow
from tests.fixtures.cli import floorlink_on


def test_operators_from_the_cli(db_url: str, tmp_path: Path) -> None:
    floorlink = floorlink_on(db_url, tmp_path)
    add = ["operator", "add", "B-1", "--name", "Ana", "--role", "picker", "--role", "packer"]
    added = floorlink(*add, "--pin", "4821")
    assert added.exit_code == 0, added.output
    assert added.output == "added operator B-1 (picker, packer)\n"
    again = floorlink(*add, "--pin", "4821")
    assert again.exit_code == 1 and "already exists" in again.output
    wizard = floorlink("operator", "add", "B-2", "--name", "X", "--role", "wizard", "--pin", "4821")
    assert wizard.exit_code == 2 and "--role" in wizard.output
    short = floorlink("operator", "add", "B-2", "--name", "X", "--role", "picker", "--pin", "12")
    assert short.exit_code == 2 and "--pin" in short.output

    assert floorlink("operator", "list").output == "B-1\tAna\tpacker,picker\tactive\n"
    assert floorlink("operator", "disable", "B-1").output == "disabled B-1\n"
    assert floorlink("operator", "list").output == "B-1\tAna\tpacker,picker\tdisabled\n"
    assert floorlink("operator", "enable", "B-1").output == "enabled B-1\n"
    assert floorlink("operator", "reset-pin", "B-1", "--pin", "9999").output == (
        "new PIN set for B-1\n"
    )
    nobody = floorlink("operator", "reset-pin", "NOPE", "--pin", "9999")
    assert nobody.exit_code == 1 and "no operator with badge NOPE" in nobody.output

    assert floorlink("operator", "unlock", "B-1").output == "B-1 was not locked\n"
    with db.database.connection_context():
        BadgeLock.create(badge="B-1", device_id="HH-1", locked_at=utcnow())
    assert floorlink("operator", "list").output == "B-1\tAna\tpacker,picker\tactive, locked\n"
    assert floorlink("operator", "unlock", "B-1").output == "unlocked B-1\n"

    with db.database.connection_context():
        actors = {e.actor for e in Event.select() if e.type.startswith("operator.")}
    assert actors == {f"cli:{getpass.getuser()}"}


def test_kiosk_devices_from_the_cli(db_url: str, tmp_path: Path) -> None:
    floorlink = floorlink_on(db_url, tmp_path, "[floor]\nenrollment_ttl_s = 120\n")
    added = floorlink("device", "add", "HH-1", "--kind", "handheld")
    assert added.exit_code == 0, added.output
    code = added.stdout.strip()
    assert code and "\n" not in code
    # the TOML file's settings, as the server would use them
    assert added.stderr == "(enroll HH-1 at /kiosk/ within 2 min; single use)\n"
    no_station = floorlink("device", "add", "ST-1", "--kind", "station")
    assert no_station.exit_code == 1 and "needs its station" in no_station.output
    station = floorlink("device", "add", "ST-1", "--kind", "station", "--station", "PACK-01")
    assert station.exit_code == 0, station.output
    assert floorlink("device", "list").output == (
        "HH-1\thandheld\t-\tpending\nST-1\tstation\tPACK-01\tpending\n"
    )
    assert floorlink("device", "revoke", "HH-1").output == "revoked HH-1\n"
    assert floorlink("device", "list").output.splitlines()[0] == "HH-1\thandheld\t-\trevoked"
    unknown = floorlink("device", "revoke", "NOPE")
    assert unknown.exit_code == 1 and "no kiosk device NOPE" in unknown.output
