"""The bridge: serial readers in, spooled events and retained state out, commands executed.

Events (scans, stable weights) get a per-device ``seq`` within the bridge's session (a
fresh id per start), are written to the spool, and are published from there by the
:class:`~firmware_bridge.forwarder.Forwarder`; each stays spooled until the server confirms
it committed it (``bridge/<id>/committed``). A full spool refuses new events (the older
ones are kept) and says so in the bridge's retained status (``spool.full``). Availability and state are retained topics
republished on every connect. Commands arrive on ``device/<id>/cmd/<name>`` and are
answered on ``.../reply``.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any

import paho.mqtt.client as mqtt

from devices import mqtt_topics as topics
from devices.confirmations import BridgeCommitted, Refused
from devices.device_data import as_dict
from devices.mqtt_client import MqttClient, MqttSettings, PublishError
from devices.mtsics import Reading, ScaleError, Weight
from devices.payloads import (
    Command,
    OnlineState,
    PayloadError,
    SpoolStatus,
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
from firmware_bridge.spool import Spool, SpoolFull

logger = logging.getLogger(__name__)

SPOOL_STATUS_EVERY_S = 10.0


class Bridge:
    def __init__(self, config: BridgeConfig, reconnect: tuple[float, float] = (0.5, 30.0)):
        self.config = config
        self.session = new_session_id()
        self.spool = Spool(config.spool_path, config.spool_capacity)
        self._refused = 0
        self._server_refused, self._last_refusal = 0, ""  # events the server will never take
        self._spool_shown: tuple[int, bool, float] = (-1, False, 0.0)
        self.client = MqttClient(
            self._mqtt_settings(reconnect),
            on_message=self._on_message,
            on_connected=self._on_connected,
            on_published=lambda mid, ok: self.forwarder.on_published(mid, ok),
        )
        self._server_statuses: dict[str, bytes] = {}  # status topic -> its last payload
        self.forwarder = Forwarder(
            self.spool,
            self.client,
            self.session,
            on_confirmed=lambda _: self._show_spool(),
            on_refused=self._refused_by_server,
        )
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
            subscriptions=(
                *((topics.commands_filter(site, d), 1) for d in command_devices),
                (topics.bridge_committed(site, bridge_id), 1),
                *((f, 1) for f in topics.server_status_filters(site)),
            ),
            reconnect_min=reconnect[0],
            reconnect_max=reconnect[1],
        )

    def start(self) -> None:
        logger.info("Bridge %s starting session %s", self.config.bridge_id, self.session)
        for light_id in self.lights:
            self._on_status(light_id, "online", None)
        self._show_spool(force=True)
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
        bridge = self.config.bridge_id
        with self._record_lock:
            seq = self._seq.get(device_id, 0) + 1
            payload = encode(event_payload(device_id, self.session, seq, data, bridge=bridge))
            try:
                self.spool.append(topic, payload, self.session, device_id, seq)
            except SpoolFull as exc:
                self._refuse(device_id, event_type, exc)
                return
            self._seq[device_id] = seq  # a refused event takes no seq: no gap to wait for
        self.forwarder.wake()
        self._show_spool()

    def _refuse(self, device_id: str, event_type: str, exc: SpoolFull) -> None:
        self._refused += 1
        if self._refused <= 10 or self._refused % 1000 == 0:
            logger.error(
                "Spool full: %s event of %s REFUSED (#%s): %s; is the server or the broker down?",
                event_type,
                device_id,
                self._refused,
                exc,
            )
        self._show_spool()

    def _refused_by_server(self, refused: list[Refused]) -> None:
        """The server will never take these (their device is behind another bridge): they
        left the spool; said in the log and in the bridge's status (the devices list)."""
        for r in refused:
            self._server_refused += 1
            self._last_refusal = f"{r.device_id}:{r.session}:{r.seq}: {r.reason}"
            if self._server_refused <= 10 or self._server_refused % 1000 == 0:
                logger.error(
                    "Server REFUSED event %s (#%s), dropped from the spool; fix [[devices]] "
                    "or this bridge's config",
                    self._last_refusal,
                    self._server_refused,
                )
        self._show_spool(force=True)

    def _show_spool(self, force: bool = False) -> None:
        """The bridge's retained status with its spool: when it fills, has room again or
        empties, and at most every 10 s otherwise."""
        count, full = self.spool.count(), self.spool.full
        shown_count, shown_full, at = self._spool_shown
        now = time.monotonic()
        changed = full != shown_full or (count == 0) != (shown_count == 0)
        if not force and not changed and (count == shown_count or now - at < SPOOL_STATUS_EVERY_S):
            return
        self._spool_shown = (count, full, now)
        if full != shown_full and not force:
            logger.warning("Spool %s (%s events)", "FULL" if full else "has room again", count)
        refused = (self._server_refused, self._last_refusal or None)
        spool = SpoolStatus(count, self.spool.capacity, full, *refused)
        status = status_payload("online", self.session, spool=spool)
        self.retained.set(
            topics.bridge_status(self.config.site, self.config.bridge_id), encode(status)
        )

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
        self.forwarder.republish()  # the broker may have lost what it acknowledged

    def _on_message(self, message: mqtt.MQTTMessage) -> None:
        if topics.is_server_status(self.config.site, message.topic):
            # One status per server process (its MQTT partition) on a multi-process site:
            # the server is up while any says online; any birth may follow a broker that
            # forgot what it had queued, so each one makes the forwarder publish again.
            payload = bytes(message.payload)
            birth = self._server_statuses.get(message.topic) != payload  # a new session's
            self._server_statuses[message.topic] = payload
            online = any(map(_says_online, self._server_statuses.values()))
            self.forwarder.server_online(online, birth=birth and _says_online(payload))
            return
        command = decode_message(message.topic, message.payload)
        if isinstance(command, BridgeCommitted):
            self.forwarder.on_committed(command)
            return
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


def _says_online(payload: bytes) -> bool:
    """The server's retained status says ``online`` (anything else, even garbage: not)."""
    try:
        status = json.loads(payload)
    except ValueError:
        return False
    return isinstance(status, dict) and status.get("state") == "online"
