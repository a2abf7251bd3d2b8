"""Publishes spooled events in order; deletes them when the server confirms its commit.

Rows are handed to the MQTT client in spool order, at most ``window`` without a PUBACK at
a time, and only while connected. A row handed over stays with the client across a lost
connection (paho resends it on reconnect, in order). The PUBACK only frees a place in the
window: the row stays in the spool until the server's confirmation on
``bridge/<id>/committed`` (devices/confirmations.py) says it committed it.

What the broker acknowledged may still be lost (a broker crash before it saved or passed
on the message), so every unconfirmed row is published again, from the oldest, when:
the connection comes back; the server announces itself online; the server asks (``resend``: it saw a
gap); or nothing was confirmed for ``confirm_timeout`` seconds while the server is online.
The server de-duplicates on ``event_id``, so a row published twice is applied once.

An event the server refuses for good (its device is configured behind another bridge) is
confirmed as ``refused``: the row is dropped, logged and counted (``on_refused``: the
bridge's status shows it in the devices list), so the spool never fills with events that
can never be accepted.

Rows written by an earlier run of the bridge (another session) are published with
``"historical": true``; the oldest row of a device and session with ``"first": true``
(every earlier one was confirmed, so the server applies it without seq - 1).
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from collections.abc import Callable

from devices.confirmations import BridgeCommitted, Refused
from devices.mqtt_client import MqttClient, PublishError
from devices.payloads import encode
from firmware_bridge.spool import Spool, SpoolRow

logger = logging.getLogger(__name__)

RETRY_AFTER_REFUSAL = 1.0
CONFIRM_TIMEOUT = 30.0


class Forwarder(threading.Thread):
    def __init__(
        self,
        spool: Spool,
        client: MqttClient,
        session: str,
        window: int = 500,
        confirm_timeout: float = CONFIRM_TIMEOUT,
        on_confirmed: Callable[[int], None] | None = None,
        on_refused: Callable[[list[Refused]], None] | None = None,
    ):
        super().__init__(name="bridge-forwarder", daemon=True)
        self._spool = spool
        self._client = client
        self._session = session
        self._window = window
        self._confirm_timeout = confirm_timeout
        self._on_confirmed = on_confirmed or (lambda removed: None)
        self._on_refused = on_refused or (lambda refused: None)
        self._handed: dict[int, int] = {}  # mid -> row id
        self._last_handed = 0
        self._acks: queue.SimpleQueue[tuple[int, bool]] = queue.SimpleQueue()
        self._confirmations: queue.SimpleQueue[BridgeCommitted] = queue.SimpleQueue()
        self._rewind = threading.Event()
        self._server_online = False
        self._waiting_since: float | None = None  # handed over, no confirmation since
        self._wake = threading.Event()
        self._stopping = threading.Event()

    def wake(self) -> None:
        """Something was spooled: look again now."""
        self._wake.set()

    def republish(self) -> None:
        """Publish every unconfirmed row again from the oldest (the connection came back,
        the server came online)."""
        self._rewind.set()
        self._wake.set()

    def server_online(self, online: bool, birth: bool | None = None) -> None:
        """The server's status (`online`: any of its processes is up). A birth (`birth`,
        by default `online`; after the process subscribed) may follow a broker that forgot
        the server's session and what was queued for it, so publish again."""
        self._server_online = online
        if online if birth is None else birth:
            self.republish()

    def on_published(self, mid: int, ok: bool) -> None:
        """The client's ack callback (paho thread): queue it for the forwarder thread."""
        self._acks.put((mid, ok))
        self._wake.set()

    def on_committed(self, message: BridgeCommitted) -> None:
        """The server's confirmation (paho thread): queue it for the forwarder thread."""
        self._confirmations.put(message)
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
            self._settle_confirmations()
            self._check_overdue()
            if self._rewind.is_set():
                self._rewind.clear()
                self._last_handed = 0
                self._waiting_since = None
            if refused:
                self._stopping.wait(RETRY_AFTER_REFUSAL)
            if self._client.is_connected:
                self._hand_over()

    def _settle_acks(self) -> bool:
        refused = False
        while True:
            try:
                mid, ok = self._acks.get_nowait()
            except queue.Empty:
                return refused
            row_id = self._handed.pop(mid, None)
            if row_id is not None and not ok:  # refused by the broker (e.g. an ACL)
                refused = True
                self._last_handed = min(self._last_handed, row_id - 1)

    def _settle_confirmations(self) -> None:
        confirmed: list[tuple[str, str, int]] = []
        resend: list[tuple[str, str]] = []
        refused: list[Refused] = []
        while True:
            try:
                message = self._confirmations.get_nowait()
            except queue.Empty:
                break
            confirmed.extend((c.device_id, c.session, c.seq) for c in message.committed)
            resend.extend(message.resend)
            refused.extend(message.refused)
        removed = self._spool.confirm(confirmed)
        dropped = self._spool.drop([(r.device_id, r.session, r.seq) for r in refused])
        if dropped:
            self._on_refused(refused)
            removed += dropped
        if confirmed or resend or refused:
            self._waiting_since = time.monotonic() if self._spool.count() else None
        if removed:
            self._on_confirmed(removed)
        for device, session in dict.fromkeys(resend):
            oldest = self._spool.oldest_id(device, session)
            if oldest is not None and oldest <= self._last_handed:
                logger.info("Server saw a gap in %s (%s): publishing again", device, session)
                self._last_handed = oldest - 1

    def _check_overdue(self) -> None:
        """Handed over long ago, never confirmed, the server online: publish again."""
        since = self._waiting_since
        if not self._server_online or since is None or not self._spool.count():
            return
        if time.monotonic() - since > self._confirm_timeout:
            logger.warning("No confirmation for %.0f s: publishing again", self._confirm_timeout)
            self._rewind.set()

    def _hand_over(self) -> None:
        room = self._window - len(self._handed)
        if room <= 0:
            return
        rows = self._spool.after(self._last_handed, room)
        oldest: dict[tuple[str, str], int | None] = {}
        for row in rows:
            group = (row.device, row.session)
            if group not in oldest:
                oldest[group] = self._spool.oldest_seq(*group)
            try:
                payload = self._payload(row, first=oldest[group] == row.seq)
                mid = self._client.publish(row.topic, payload, qos=1, timeout=0)
            except PublishError as exc:
                logger.warning("Spooled event %s not handed over yet: %s", row.id, exc)
                return
            self._handed[mid] = row.id
            self._last_handed = row.id
            if self._waiting_since is None:
                self._waiting_since = time.monotonic()

    def _payload(self, row: SpoolRow, first: bool) -> bytes:
        historical = row.session != self._session
        if not historical and not (first and row.seq > 1):
            return row.payload
        envelope = json.loads(row.payload)
        if historical:
            envelope["historical"] = True
        if first and row.seq > 1:
            envelope["first"] = True
        return encode(envelope)
