"""Picking: totes, batches, pick tasks, holds, tote contents, count tasks and put-backs."""

import peewee

from server.models.picking import PICKING_MODELS


def upgrade(db: peewee.Database) -> None:
    db.create_tables(PICKING_MODELS)
