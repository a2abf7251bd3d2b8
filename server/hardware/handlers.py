"""The ingest command: one batch of MQTT messages, taken in by one transaction.

Group commit: the registry changes and the de-duplication of every event of the batch
commit together, then the service acks the whole batch. Availability flips and devices
heard for the first time are recorded as events (subject `device:<id>`); readings are not.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from devices.payloads import DeviceEvent
from server import writes
from server.hardware import sequence, store
from server.hardware.batch import Batch
from server.spine import Handlers, Unit

HANDLERS = Handlers()

# Registry rows are telemetry (latest state per device), not business state: they change
# without an event each; what workflows need is recorded by the routes' own commands.
writes.exempt("hardware_device", "hardware_input")


@dataclass(frozen=True)
class IngestDeviceBatch:
    batch: Batch
    # Events that go to a route (server/hardware/routes.py) are de-duplicated by the
    # route's own command (its Dedupe key is the event id), not here.
    routed: tuple[DeviceEvent, ...] = ()


@dataclass(frozen=True)
class Ingested:
    fresh: list[DeviceEvent]
    duplicates: int
    routed: tuple[DeviceEvent, ...] = ()  # to route, in order (server/hardware/sequence.py)
    # A bridge's events after a gap: neither applied nor routed.
    held: set[str] = field(default_factory=set)
    confirmations: list[sequence.Confirmation] = field(default_factory=list)


@HANDLERS.handles(IngestDeviceBatch)
def ingest_device_batch(cmd: IngestDeviceBatch, unit: Unit) -> Ingested:
    events = cmd.batch.events
    ordered = sequence.order(events, store.known_inputs(sequence.lookups(events)))
    routed_ids = {e.event_id for e in cmd.routed}
    own = [e for e in ordered.applied if e.event_id not in routed_ids]
    routed = tuple(e for e in ordered.applied if e.event_id in routed_ids)
    fresh = store.take_in(own)
    store.remember([e for e in routed if e.bridge is not None])
    for event in store.apply(cmd.batch, fresh):
        unit.record(event)
    confirmations = list(ordered.confirmations.values())
    return Ingested(fresh, len(own) - len(fresh), routed, ordered.held, confirmations)
