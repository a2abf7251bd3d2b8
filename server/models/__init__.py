"""peewee models, one module per area; import from here."""

from server.models.auth import API_SCOPES, ApiKey
from server.models.base import BaseModel, JSONField, isoformat, naive_utc, utcnow
from server.models.catalog import LOCATION_KINDS, Location, Product, ProductBarcode
from server.models.events import Event, EventHead, ProcessedInput
from server.models.floor import (
    KIOSK_KINDS,
    OPERATOR_ROLES,
    BadgeLock,
    FloorOperator,
    FloorSession,
    KioskDevice,
    PinFailure,
)
from server.models.hardware import HardwareDevice, HardwareInput
from server.models.orders import (
    OPEN_STATUSES,
    ORDER_STATUSES,
    Allocation,
    Order,
    OrderHold,
    OrderLine,
)
from server.models.packing import (
    Box,
    CarrierRule,
    Package,
    PackageItem,
    PackJob,
    PrintJob,
    SsccSerial,
)
from server.models.picking import BatchOrder, CountTask, PickBatch, PickTask, PutBack
from server.models.returns import GradingTree, ReturnUnit, Rma, RmaLine
from server.models.stock import Stock
from server.models.sync import SupervisorException, WebhookDelivery, WebhookEndpoint
from server.models.totes import Tote, ToteItem

__all__ = [
    "Box",
    "CarrierRule",
    "Package",
    "PackageItem",
    "PackJob",
    "PrintJob",
    "SsccSerial",
    "API_SCOPES",
    "LOCATION_KINDS",
    "OPEN_STATUSES",
    "ORDER_STATUSES",
    "Allocation",
    "BatchOrder",
    "CountTask",
    "OrderHold",
    "PickBatch",
    "PickTask",
    "PutBack",
    "Tote",
    "ToteItem",
    "ApiKey",
    "BaseModel",
    "Event",
    "EventHead",
    "BadgeLock",
    "FloorOperator",
    "FloorSession",
    "KIOSK_KINDS",
    "KioskDevice",
    "OPERATOR_ROLES",
    "PinFailure",
    "HardwareDevice",
    "HardwareInput",
    "JSONField",
    "Location",
    "Order",
    "OrderLine",
    "ProcessedInput",
    "Product",
    "ProductBarcode",
    "GradingTree",
    "ReturnUnit",
    "Rma",
    "RmaLine",
    "Stock",
    "SupervisorException",
    "WebhookDelivery",
    "WebhookEndpoint",
    "isoformat",
    "naive_utc",
    "utcnow",
]
