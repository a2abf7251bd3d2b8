"""Packing: boxes, carrier rules, pack jobs, packages and their items, the SSCC serial
allocator, label print jobs."""

import peewee

from server.models.packing import PACKING_MODELS


def upgrade(db: peewee.Database) -> None:
    db.create_tables(PACKING_MODELS)
