"""Retained topics a publisher owns (device availability and state), republished on connect.

Retained messages are the last known value, not a history, so they do not go through the
bridge's spool: the latest value per topic is kept in memory, published when it changes while
connected, and all of them again after every (re)connect — a broker that lost its
retained store after a crash gets them back.
"""

from __future__ import annotations

import logging
import threading

from devices.mqtt_client import MqttClient, PublishError

logger = logging.getLogger(__name__)


class RetainedTopics:
    def __init__(self, client: MqttClient) -> None:
        self._client = client
        self._values: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def set(self, topic: str, payload: bytes) -> None:
        """Remember ``payload`` as the value of ``topic`` and publish it if connected."""
        with self._lock:
            if self._values.get(topic) == payload:
                return
            self._values[topic] = payload
        if self._client.is_connected:
            self._publish(topic, payload)

    def get(self, topic: str) -> bytes | None:
        with self._lock:
            return self._values.get(topic)

    def publish_all(self) -> None:
        """Call on every connect."""
        with self._lock:
            values = list(self._values.items())
        for topic, payload in values:
            self._publish(topic, payload)

    def _publish(self, topic: str, payload: bytes) -> None:
        try:
            self._client.publish(topic, payload, qos=1, retain=True, timeout=0)
        except PublishError as exc:  # republished on the next connect
            logger.warning("Retained %s not published: %s", topic, exc)
