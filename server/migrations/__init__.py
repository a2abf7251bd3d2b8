"""Versioned schema migrations: `floorlink db upgrade` applies what is missing, idempotently.

Each migration is a module `mNNNN_<name>.py` with `def upgrade(db) -> None`. A migration
creates the tables it introduces from the models of its area; once a table has shipped,
later changes to it are new migrations (playhouse.migrate), never edits of old ones.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
from types import ModuleType

import peewee

from server.db import database
from server.models.base import utcnow

log = logging.getLogger(__name__)


class SchemaOutOfDate(RuntimeError):
    """The database is behind (or ahead of) this Floorlink."""


class SchemaVersion(peewee.Model):
    version = peewee.IntegerField(primary_key=True)
    name = peewee.CharField(max_length=100)
    applied_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        database = database
        table_name = "schema_version"


def available() -> list[tuple[int, str, ModuleType]]:
    found = []
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("m") and info.name[1:5].isdigit():
            module = importlib.import_module(f"{__name__}.{info.name}")
            found.append((int(info.name[1:5]), info.name[6:], module))
    return sorted(found, key=lambda item: item[0])


def latest_version() -> int:
    return available()[-1][0]


def current_version() -> int:
    if not SchemaVersion.table_exists():
        return 0
    top = SchemaVersion.select(peewee.fn.MAX(SchemaVersion.version)).scalar()
    return int(top or 0)


def upgrade() -> list[str]:
    """Apply every missing migration, each in its own transaction; return what was applied."""
    applied = []
    with database.connection_context():
        database.create_tables([SchemaVersion], safe=True)
        done = applied_versions()
        for version, name, module in available():
            if version in done:
                continue
            with database.atomic():
                module.upgrade(database)
                SchemaVersion.create(version=version, name=name)
            log.info("applied migration %04d %s", version, name)
            applied.append(f"{version:04d}_{name}")
    return applied


def check_current() -> None:
    """Refuse to run on a schema that is not the one this code expects: every migration of
    this code applied (not only the highest: one merged from a parallel branch may carry a
    lower number than one applied already) and none this code does not know."""
    with database.connection_context():
        done = applied_versions()
    known = {version for version, _, _ in available()}
    missing, unknown = sorted(known - done), sorted(done - known)
    if unknown:
        raise SchemaOutOfDate(
            f"the database schema has migration(s) {_numbers(unknown)} that this Floorlink "
            f"does not know (it knows up to {max(known):04d}): upgrade Floorlink"
        )
    if missing:
        raise SchemaOutOfDate(
            f"the database schema lacks migration(s) {_numbers(missing)} that this "
            "Floorlink needs: run `floorlink db upgrade`"
        )


def applied_versions() -> set[int]:
    if not SchemaVersion.table_exists():
        return set()
    return {row.version for row in SchemaVersion.select(SchemaVersion.version)}


def _numbers(versions: list[int]) -> str:
    return ", ".join(f"{v:04d}" for v in versions)
