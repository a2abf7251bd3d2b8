"""Simulated MQTT devices: dock doors, temperature probes, pick-to-light and stack lights.

A :class:`SimulatedSensorHub` speaks the topic scheme exactly as a bridge does: a retained
birth and last will on ``bridge/<hub_id>/status``, retained availability and state per
device, enveloped events (``press``, ``door``), and commands answered on ``.../reply``
(expired ones are not executed).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import paho.mqtt.client as mqtt

from devices import mqtt_topics as topics
from devices.device_data import as_dict
from devices.light_commands import LightKind, parse_light_command, state_after
from devices.mqtt_client import MqttClient, MqttSettings, PublishError
from devices.payloads import (
    Command,
    OnlineState,
    decode_message,
    encode,
    event_payload,
    new_session_id,
    reply_payload,
    status_payload,
)
from devices.retained_topics import RetainedTopics

logger = logging.getLogger(__name__)


class SimulatedSensorHub:
    def __init__(
        self,
        mqtt_url: str,
        site: str,
        hub_id: str = "simulator",
        doors: tuple[str, ...] = (),
        probes: tuple[str, ...] = (),
        lights: dict[str, LightKind] | None = None,
    ) -> None:
        self.site = site
        self.hub_id = hub_id
        self.session = new_session_id()
        self.doors = doors
        self.devices = (*doors, *probes, *(lights or {}))
        self.lights = dict(lights or {})
        self.light_states: dict[str, dict[str, Any]] = {}
        self._seq: dict[str, int] = {}
        self._lock = threading.Lock()
        self.client = MqttClient(
            MqttSettings(
                url=mqtt_url,
                client_id=f"floorlink-sim-{site}-{hub_id}",
                status_topic=topics.bridge_status(site, hub_id),
                birth=encode(status_payload("online", self.session)),
                will=encode(status_payload("offline", self.session)),
                subscriptions=tuple((topics.commands_filter(site, d), 1) for d in self.lights),
                reconnect_min=0.2,
                reconnect_max=5.0,
            ),
            on_message=self._on_message,
            on_connected=lambda _present: self.retained.publish_all(),
        )
        self.retained = RetainedTopics(self.client)

    def start(self) -> None:
        for device_id in self.devices:
            self._availability(device_id, "online")
        for door in self.doors:
            self.retained.set(topics.state(self.site, door), encode({"open": False}))
        self.client.start()

    def stop(self) -> None:
        for device_id in self.devices:
            self._availability(device_id, "offline")
        self.client.stop()

    def door(self, device_id: str, is_open: bool) -> None:
        """Open or close a dock door: retained state plus a ``door`` event."""
        self.retained.set(topics.state(self.site, device_id), encode({"open": is_open}))
        self.event(device_id, "door", {"open": is_open})

    def temperature(self, device_id: str, celsius: float) -> None:
        state = encode({"celsius": float(celsius)})
        self.retained.set(topics.state(self.site, device_id), state)

    def press(self, device_id: str, button: str | None = None) -> None:
        """Press the confirm button of a pick-to-light module."""
        self.event(device_id, "press", {"button": button} if button else {})

    def event(self, device_id: str, event_type: str, data: dict[str, Any]) -> None:
        with self._lock:
            seq = self._seq[device_id] = self._seq.get(device_id, 0) + 1
        payload = encode(event_payload(device_id, self.session, seq, data))
        try:
            self.client.publish(topics.event(self.site, device_id, event_type), payload)
        except PublishError as exc:
            logger.warning("Simulated %s event lost: %s", device_id, exc)

    def _availability(self, device_id: str, state: OnlineState) -> None:
        payload = status_payload(state, self.session, bridge=self.hub_id)
        self.retained.set(topics.availability(self.site, device_id), encode(payload))

    def _on_message(self, message: mqtt.MQTTMessage) -> None:
        command = decode_message(message.topic, message.payload)
        if not isinstance(command, Command) or command.device_id not in self.lights:
            logger.warning("Simulator ignored %s: %s", message.topic, command)
            return
        status, note = self._execute(command)
        reply = encode(reply_payload(command.cmd_id, status, note))
        reply_topic = topics.command_reply(self.site, command.device_id, command.name)
        try:
            self.client.publish(reply_topic, reply, timeout=0)
        except PublishError as exc:
            logger.warning("Simulator reply lost: %s", exc)

    def _execute(self, command: Command) -> tuple[str, str | None]:
        if command.expired():
            return "expired", f"expired at {command.expires_at}"
        kind = self.lights[command.device_id]
        parsed = parse_light_command(kind, command.name, command.args)
        if isinstance(parsed, str):
            return "rejected", parsed
        state = as_dict(state_after(parsed))
        self.light_states[command.device_id] = state
        self.retained.set(topics.state(self.site, command.device_id), encode(state))
        logger.info("Simulated %s %s: %s", kind, command.device_id, state)
        return "ok", None
