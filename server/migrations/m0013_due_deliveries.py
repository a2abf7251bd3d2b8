"""The relay reads only the deliveries that are due (server/sync/outbox.py, WAITING): an
index on (status, next_attempt_at). A database whose webhook_delivery was created from
today's models (m0002) has it already. Deliveries already waiting behind their subject's
head are marked by the relay's first sweep, not here."""

import peewee

from server.models.sync import DUE_INDEX, WebhookDelivery


def upgrade(db: peewee.Database) -> None:
    table = WebhookDelivery._meta.table_name
    db.execute_sql(
        f'CREATE INDEX IF NOT EXISTS "{DUE_INDEX}" ON "{table}" ("status", "next_attempt_at")'
    )
