"""Cold chain: probe status, downsampled readings, stock holds."""

import peewee

from server.models.coldchain import COLDCHAIN_MODELS


def upgrade(db: peewee.Database) -> None:
    db.create_tables(COLDCHAIN_MODELS)
