"""Dispatch: manifests, the packages loaded onto them, approved split shipments."""

import peewee

from server.models.dispatch import DISPATCH_MODELS


def upgrade(db: peewee.Database) -> None:
    db.create_tables(DISPATCH_MODELS)
