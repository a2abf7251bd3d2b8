"""Devices: the MQTT device registry and the device events already taken in."""

import peewee

from server.models.hardware import HardwareDevice, HardwareInput


def upgrade(db: peewee.Database) -> None:
    db.create_tables([HardwareDevice, HardwareInput])
