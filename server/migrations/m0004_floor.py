"""The floor: operators, kiosk devices, sessions, failed PIN attempts and badge locks."""

import peewee

from server.models.floor import FLOOR_MODELS


def upgrade(db: peewee.Database) -> None:
    db.create_tables(FLOOR_MODELS)
