"""The supervisors' board: acknowledged exceptions."""

import peewee

from server.models.board import BOARD_MODELS


def upgrade(db: peewee.Database) -> None:
    db.create_tables(BOARD_MODELS)
