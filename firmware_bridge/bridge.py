"""The bridge: serial readers in, spooled events and retained state out, commands executed.

Events (scans, stable weights) get a per-device ``seq`` within the bridge's session (a
fresh id per start), are written to the spool, and are published from there by the
:class:`~firmware_bridge.forwarder.Forwarder`. Availability and state are retained topics
republished on every connect. Commands arrive on ``device/<id>/cmd/<name>`` and are
answered on ``.../reply``.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import paho.mqtt.client as mqtt

from devices import mqtt_topics as topics
from devices.device_data import as_dict
from devices.mqtt_client import MqttClient, MqttSettings, PublishError
from devices.mtsics import Reading, ScaleError, Weight
from devices.payloads import (
    Command,
    OnlineState,
    PayloadError,
    decode_message,
    encode,
    event_payload,
    new_session_id,
    reply_payload,
    status_payload,
)
from devices.retained_topics import RetainedTopics
from devices.serial_scale import SerialScaleReader
from devices.serial_scanner import ScannerEvent, ScanRejected, SerialScannerReader
from firmware_bridge.commands import CommandRunner
from firmware_bridge.config import BridgeConfig
from firmware_bridge.forwarder import Forwarder
from firmware_bridge.lights import Light
from firmware_bridge.spool import Spool

logger = logging.getLogger(__name__)


class Bridge:
    def __init__(self, config: BridgeConfig, reconnect: tuple[float, float] = (0.5, 30.0)):
        self.config = config
        self.session = new_session_id()
        self.spool = Spool(config.spool_path)
        self.client = MqttClient(
            self._mqtt_settings(reconnect),
            on_message=self._on_message,
            on_connected=self._on_connected,
            on_published=lambda mid, ok: self.forwarder.on_published(mid, ok),
        )
        self.forwarder = Forwarder(self.spool, self.client, self.session)
        self.retained = RetainedTopics(self.client)
        self._seq: dict[str, int] = {}
        self._record_lock = threading.Lock()
        self._last_stable: dict[str, float] = {}
        self.scanners = [
            SerialScannerReader(c, self._on_scan, self._on_scan_error, self._on_status)
            for c in config.scanners
        ]
        self.scales = {
            c.id: SerialScaleReader(c, self._on_reading, self._on_status) for c in config.scales
        }
        self.lights = {c.id: Light(c) for c in config.lights}
        self.commands = CommandRunner(self.lights, self.scales)

    def _mqtt_settings(self, reconnect: tuple[float, float]) -> MqttSettings:
        site, bridge_id = self.config.site, self.config.bridge_id
        command_devices = [d.id for d in self.config.lights] + [d.id for d in self.config.scales]
        return MqttSettings(
            url=self.config.mqtt_url,
            client_id=f"floorlink-bridge-{bridge_id}",
            status_topic=topics.bridge_status(site, bridge_id),
            birth=encode(status_payload("online", self.session)),
            will=encode(status_payload("offline", self.session)),
            subscriptions=tuple((topics.commands_filter(site, d), 1) for d in command_devices),
            reconnect_min=reconnect[0],
            reconnect_max=reconnect[1],
        )

    def start(self) -> None:
        logger.info("Bridge %s starting session %s", self.config.bridge_id, self.session)
        for light_id in self.lights:
            self._on_status(light_id, "online", None)
        self.forwarder.start()
        self.client.start()
        for reader in [*self.scanners, *self.scales.values()]:
            reader.start()

    def stop(self) -> None:
        for reader in [*self.scanners, *self.scales.values()]:
            reader.stop()
        for device_id in self.config.device_ids:
            self._on_status(device_id, "offline", None)
        self.forwarder.stop()
        self.client.stop()
        for light in self.lights.values():
            light.close()
        self.spool.close()

    def record(self, device_id: str, event_type: str, data: dict[str, Any]) -> None:
        """Spool one event (durably) and let the forwarder publish it."""
        topic = topics.event(self.config.site, device_id, event_type)
        with self._record_lock:
            seq = self._seq.get(device_id, 0) + 1
            self._seq[device_id] = seq
            payload = encode(event_payload(device_id, self.session, seq, data))
            self.spool.append(topic, payload, self.session)
        self.forwarder.wake()

    # -- device callbacks (reader threads) ---------------------------------------------

    def _on_scan(self, event: ScannerEvent) -> None:
        self.record(event.scanner_id, "scan", {"raw": event.scan.raw})

    def _on_scan_error(self, event: ScanRejected) -> None:
        data = {"error": event.error.message, "raw": event.error.raw[:64]}
        self.record(event.scanner_id, "scan_error", data)

    def _on_status(self, device_id: str, status: OnlineState, ts: float | None) -> None:
        payload = status_payload(status, self.session, ts, bridge=self.config.bridge_id)
        self.retained.set(topics.availability(self.config.site, device_id), encode(payload))

    def _on_reading(self, scale_id: str, reading: Reading) -> None:
        if isinstance(reading, ScaleError):
            logger.warning("Scale %s: %s", scale_id, reading.message)
        if not isinstance(reading, Weight):
            return
        state = {"grams": reading.grams, "stable": reading.stable}
        self.retained.set(topics.state(self.config.site, scale_id), encode(state))
        if reading.stable and self._last_stable.get(scale_id) != reading.grams:
            self._last_stable[scale_id] = reading.grams
            self.record(scale_id, "weight", state)

    # -- MQTT callbacks (paho thread) --------------------------------------------------

    def _on_connected(self, session_present: bool) -> None:
        self.retained.publish_all()
        self.forwarder.wake()

    def _on_message(self, message: mqtt.MQTTMessage) -> None:
        command = decode_message(message.topic, message.payload)
        if isinstance(command, PayloadError):
            logger.warning("Ignored %s: %s", message.topic, command.message)
            return
        if not isinstance(command, Command):
            return
        outcome = self.commands.run(command)
        logger.info("Command %s %s -> %s", command.name, command.cmd_id, outcome.status)
        site = self.config.site
        if outcome.state is not None:
            state = encode(as_dict(outcome.state))
            self.retained.set(topics.state(site, command.device_id), state)
        reply = encode(reply_payload(command.cmd_id, outcome.status, outcome.message))
        try:
            self.client.publish(
                topics.command_reply(site, command.device_id, command.name), reply, timeout=0
            )
        except PublishError as exc:
            logger.warning("Reply to %s not published: %s", command.cmd_id, exc)
