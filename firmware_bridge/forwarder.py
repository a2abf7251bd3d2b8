"""Publishes spooled events in order and deletes each one when the broker acked it.

Rows are handed to the MQTT client in spool order, at most ``window`` unacknowledged at a
time, and only while connected. A row handed over stays with the client across a lost
connection (paho resends it on reconnect, in order); rows not yet handed over wait in the
spool. The PUBACK of a mid deletes its row. Rows written by an earlier run of the bridge
(another session) are published with ``"historical": true``.
"""

from __future__ import annotations

import json
import logging
import queue
import threading

from devices.mqtt_client import MqttClient, PublishError
from devices.payloads import encode
from firmware_bridge.spool import Spool, SpoolRow

logger = logging.getLogger(__name__)

RETRY_AFTER_REFUSAL = 1.0


class Forwarder(threading.Thread):
    def __init__(self, spool: Spool, client: MqttClient, session: str, window: int = 500):
        super().__init__(name="bridge-forwarder", daemon=True)
        self._spool = spool
        self._client = client
        self._session = session
        self._window = window
        self._handed: dict[int, int] = {}  # mid -> row id
        self._last_handed = 0
        self._acks: queue.SimpleQueue[tuple[int, bool]] = queue.SimpleQueue()
        self._wake = threading.Event()
        self._stopping = threading.Event()

    def wake(self) -> None:
        """Something was spooled or the connection came back: look again now."""
        self._wake.set()

    def on_published(self, mid: int, ok: bool) -> None:
        """The client's ack callback (paho thread): queue it for the forwarder thread."""
        self._acks.put((mid, ok))
        self._wake.set()

    def stop(self, timeout: float = 2.0) -> None:
        self._stopping.set()
        self._wake.set()
        if self.is_alive():
            self.join(timeout)

    def run(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait(0.5)
            self._wake.clear()
            refused = self._settle_acks()
            if refused:
                self._stopping.wait(RETRY_AFTER_REFUSAL)
            if self._client.is_connected:
                self._hand_over()

    def _settle_acks(self) -> bool:
        done: list[int] = []
        refused = False
        while True:
            try:
                mid, ok = self._acks.get_nowait()
            except queue.Empty:
                break
            row_id = self._handed.pop(mid, None)
            if row_id is None:
                continue
            if ok:
                done.append(row_id)
            else:  # refused by the broker (e.g. not authorised): publish again later
                refused = True
                self._last_handed = min(self._last_handed, row_id - 1)
        self._spool.delete(done)
        return refused

    def _hand_over(self) -> None:
        room = self._window - len(self._handed)
        if room <= 0:
            return
        for row in self._spool.after(self._last_handed, room):
            try:
                mid = self._client.publish(row.topic, self._payload(row), qos=1, timeout=0)
            except PublishError as exc:
                logger.warning("Spooled event %s not handed over yet: %s", row.id, exc)
                return
            self._handed[mid] = row.id
            self._last_handed = row.id

    def _payload(self, row: SpoolRow) -> bytes:
        if row.session == self._session:
            return row.payload
        envelope = json.loads(row.payload)
        envelope["historical"] = True
        return encode(envelope)
