"""Waves: the orders released for picking together in manual release, held and released
again as one by a supervisor (server/picking/waves.py); and the open orders counted by
status and channel from an index alone (the board reads the counts every second on a busy
floor: reading each order's row for its channel cost ten times the count)."""

import peewee

from server.models.picking import WAVE_MODELS


def upgrade(db: peewee.Database) -> None:
    db.create_tables(WAVE_MODELS)
    # a database whose order table was created from today's models (m0001) has it already
    db.execute_sql(
        'CREATE INDEX IF NOT EXISTS "order_status_channel" ON "order" ("status", "channel")'
    )
