"""Picking: totes, batches, pick tasks, holds, tote contents, count tasks and put-backs."""

import peewee

from server.models.orders import OrderHold
from server.models.picking import BatchOrder, CountTask, PickBatch, PickTask, PutBack
from server.models.totes import Tote, ToteItem

# The tables this version created, in dependency order (the models have since moved to
# the modules of their areas: totes, orders).
TABLES = [Tote, PickBatch, BatchOrder, PickTask, OrderHold, ToteItem, CountTask, PutBack]


def upgrade(db: peewee.Database) -> None:
    db.create_tables(TABLES)
