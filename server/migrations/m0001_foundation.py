"""Catalogue, stock, orders, returns, API keys, the event log and remembered inputs."""

import peewee

from server import models as m


def upgrade(db: peewee.Database) -> None:
    db.create_tables(
        [
            m.Product,
            m.ProductBarcode,
            m.Location,
            m.Stock,
            m.Order,
            m.OrderLine,
            m.Allocation,
            m.Rma,
            m.RmaLine,
            m.ApiKey,
            m.Event,
            m.EventHead,
            m.ProcessedInput,
        ]
    )
    m.EventHead.insert(id=1).execute()
