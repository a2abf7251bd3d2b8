"""Sync upstream: webhook endpoints, deliveries and supervisor exceptions."""

import peewee

from server.models.sync import SupervisorException, WebhookDelivery, WebhookEndpoint


def upgrade(db: peewee.Database) -> None:
    db.create_tables([WebhookEndpoint, WebhookDelivery, SupervisorException])
