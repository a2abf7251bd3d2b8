"""MQTT ingest: the server's subscriber of `floorlink/<site>/#` (docs/architecture.md, MQTT).

paho's network thread only queues what arrives. One worker drains the queue in batches
(in arrival order, so per-device order holds), decodes every message with
devices/payloads.py, commits the whole batch in ONE transaction (group commit), runs the
routes of routed events, and only then acks every message of the batch, in order. A
malformed message is counted and acked (redelivering garbage helps nobody); a database
failure is retried without acking, so nothing acknowledged is ever lost.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import paho.mqtt.client as mqtt
from flask import Flask

from devices import mqtt_topics
from devices.confirmations import Refused
from devices.mqtt_client import MqttClient, MqttSettings
from devices.payloads import (
    DeviceEvent,
    PayloadError,
    decode_message,
    encode,
    new_session_id,
    status_payload,
)
from server.hardware import acl, partition, sequence
from server.hardware.dispatch import Dispatcher

if TYPE_CHECKING:
    from server.runtime import Runtime

log = logging.getLogger(__name__)

MAX_BATCH = 1000
PRUNE_EVERY_S = 3600.0


def refusal(event: DeviceEvent, reason: str) -> sequence.Confirmation:
    """What the bridge that sent `event` is told: settled, refused, never to be applied."""
    assert event.bridge is not None
    settled = Refused(event.device_id, event.session, event.seq, reason)
    return sequence.Confirmation(event.site, event.bridge, refused=[settled])


def server_status_topic(site: str, partition: int, partitions: int) -> str:
    """The retained status (birth `online`, last will `offline`) of whoever takes in this
    partition: the site's one topic with one partition, else the partition's own."""
    return mqtt_topics.server_status(site, partition if partitions > 1 else None)


@dataclass(frozen=True)
class Received:
    message: mqtt.MQTTMessage
    generation: int  # connection it arrived on: an ack is only valid on that connection


class MqttIngest:
    name = "mqtt-ingest"

    def __init__(self, app: Flask, runtime: Runtime, partition_of: int | None = None) -> None:
        """`partition_of`: a partition taken over from a dead process (server/hardware/
        failover.py): its session, its devices and its status topic (a survivor that takes
        in the partition says so; its last will says when it stops)."""
        settings = runtime.settings
        mqtt_settings = settings.section("mqtt")
        own = self._own = partition_of is None
        self._partition: int = mqtt_settings.partition if partition_of is None else partition_of
        self._partitions = mqtt_settings.partitions
        self._bridges = {d.id: d.bridge for d in settings.section("devices") if d.bridge}
        self.link = runtime.mqtt
        self.dispatcher = Dispatcher(app, runtime.spine, self.link, runtime.device_routes)
        self._site = settings.site
        status = server_status_topic(settings.site, self._partition, self._partitions)
        self._queue: queue.SimpleQueue[Received | None] = queue.SimpleQueue()
        self._generation = 0
        self._stopping = threading.Event()
        self._worker = threading.Thread(target=self._run, name="mqtt-ingest", daemon=True)
        session = new_session_id()
        self.client = MqttClient(
            MqttSettings(
                url=settings.mqtt_url,
                client_id=(mqtt_settings.client_id if own else "")
                or partition.client_id(settings.site, self._partition, self._partitions),
                status_topic=status,
                birth=encode(status_payload("online", session)),
                will=encode(status_payload("offline", session)),
                subscriptions=((mqtt_topics.site_filter(settings.site), 1),),
                manual_ack=True,
                reconnect_min=0.2,
                reconnect_max=10.0,
            ),
            on_message=self._received,
            on_disconnected=self._disconnected,
        )

    # -- paho's thread: keep it short ---------------------------------------------------

    def _received(self, message: mqtt.MQTTMessage) -> None:
        self._queue.put(Received(message, self._generation))

    def _disconnected(self) -> None:
        self._generation += 1

    # -- lifecycle ----------------------------------------------------------------------

    def start(self) -> None:
        if self.link.client is None or self._own:
            self.link.client = self.client  # commands go out on the own partition's client
        self.client.start()
        self._worker.start()

    def stop(self) -> None:
        self._stopping.set()
        self._queue.put(None)
        if self._worker.is_alive():
            self._worker.join(10)
        self.client.stop()
        if self.link.client is self.client:
            self.link.client = None

    # -- the worker ---------------------------------------------------------------------

    def _run(self) -> None:
        last_prune = 0.0
        while not self._stopping.is_set():
            batch = self._drain()
            if batch:
                self._process(batch)
            if time.monotonic() - last_prune > PRUNE_EVERY_S:
                last_prune = time.monotonic()
                self.dispatcher.prune()

    def _drain(self) -> list[Received]:
        try:
            first = self._queue.get(timeout=0.5)
        except queue.Empty:
            return []
        batch: list[Received] = []
        item: Received | None = first
        while item is not None:
            batch.append(item)
            if len(batch) >= MAX_BATCH:
                break
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
        if item is None:
            self._stopping.set()
        return batch

    def _process(self, batch: list[Received]) -> None:
        stats = self.link.stats
        stats.add(received=len(batch))
        decoded, refusals = [], list[sequence.Confirmation]()
        for item in batch:
            if mqtt_topics.is_server_status(self._site, item.message.topic):
                continue  # this server's own statuses (its partitions')
            if not partition.is_mine(item.message.topic, self._partition, self._partitions):
                continue  # another process's device: acked with the batch, taken in there
            message = decode_message(item.message.topic, bytes(item.message.payload))
            if isinstance(message, PayloadError):
                self._malformed(message)
                continue
            refused = acl.foreign_bridge(
                str(getattr(message, "device_id", "")),
                getattr(message, "bridge", None),
                self._bridges,
            )
            if refused is not None:
                self._malformed(PayloadError(item.message.topic, refused))
                if isinstance(message, DeviceEvent) and message.bridge:
                    refusals.append(refusal(message, refused))
                continue
            decoded.append(message)
        if decoded and not self.dispatcher.take_in(decoded, self._stopping):
            return  # stopping with the batch not committed: not acked, redelivered later
        self.dispatcher.confirm(refusals)  # the bridge drops them: they can never be taken
        self._ack(batch)

    def _malformed(self, error: PayloadError) -> None:
        """Counted always; logged for the first ones, then every 1000th (no log flood)."""
        self.link.stats.note_malformed(error.topic, error.message)
        count = self.link.stats.malformed
        if count <= 10 or count % 1000 == 0:
            log.warning("MQTT message dropped (%s, #%s): %s", error.topic, count, error.message)

    def _ack(self, batch: list[Received]) -> None:
        for item in batch:
            if item.generation == self._generation:
                self.client.ack(item.message)
