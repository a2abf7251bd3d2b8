"""Taking a decoded batch in: fold it, commit it (retrying while the database is away),
then run the routes of its events in order. Shared by the ingest service and the bench."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import peewee
from flask import Flask

from devices import mqtt_topics
from devices.confirmations import committed_payload
from devices.mqtt_client import PublishError
from devices.payloads import DeviceEvent as MqttEvent
from devices.payloads import Message, encode
from server.db import connection
from server.errors import FloorlinkError
from server.hardware import routes, sequence, store
from server.hardware.batch import Batch, fold
from server.hardware.handlers import IngestDeviceBatch, Ingested
from server.hardware.link import MqttLink
from server.models import utcnow
from server.spine import Actor, Spine

log = logging.getLogger(__name__)
INGEST = Actor("device", "mqtt-ingest")
T = TypeVar("T")


class Dispatcher:
    def __init__(
        self, app: Flask, spine: Spine, link: MqttLink, event_routes: Mapping[str, routes.Route]
    ) -> None:
        self.app = app
        self.spine = spine
        self.link = link
        self.routes = event_routes  # every area's device routes, merged at bootstrap

    def take_in(self, messages: list[Message], stopping: threading.Event) -> bool:
        """Commit the batch, run its routes, then confirm to the bridges what is committed;
        False if stopped before that was done."""
        batch = fold(messages, utcnow())
        routed = tuple(e for e in batch.events if e.type in self.routes)
        command = IngestDeviceBatch(batch, routed)
        outcome = self._retrying(lambda: self.spine.execute(command, INGEST), stopping)
        if outcome is None:
            return False
        result: Ingested = outcome.result
        self.link.stats.add(
            ingested=len(result.fresh),
            duplicates=result.duplicates,
            ignored=batch.ignored,
            batches=1,
            held=len(result.held),
        )
        self.link.stats.note_batch(len(messages))
        for event in result.routed:
            if self._retrying(lambda e=event: self._route(e), stopping) is None:  # type: ignore[misc]
                return False
        self._states(batch)
        self.confirm(result.confirmations)
        return True

    def _states(self, batch: Batch) -> None:
        """The devices whose state changed in the batch, to the area that shows them live
        (route `STATES`: a station's scale while it settles). Best effort, after commit:
        states are not events, the next one supersedes a lost one."""
        fn: Any = self.routes.get(routes.STATES)  # fn(spine, device ids), not a Route
        changed = [c.device_id for c in batch.changes.values() if c.state is not None]
        if fn is None or not changed:
            return
        try:
            with self.app.app_context():
                fn(self.spine, changed)
        except Exception:
            log.exception("the state route failed for %s", changed[:5])

    def confirm(self, confirmations: list[sequence.Confirmation]) -> None:
        """Tell each bridge what is committed, or refused (QoS 1; a lost confirmation only
        costs a resend, which is de-duplicated, or refused again)."""
        client = self.link.client
        if client is None:
            return
        for confirmation in confirmations:
            topic = mqtt_topics.bridge_committed(confirmation.site, confirmation.bridge_id)
            payload = committed_payload(
                confirmation.committed_list(), confirmation.resend, confirmation.refused
            )
            try:
                client.publish(topic, encode(payload), qos=1, timeout=0)
            except PublishError as exc:
                log.warning("confirmation to %s not published: %s", confirmation.bridge_id, exc)

    def _route(self, event: MqttEvent) -> bool:
        fn = self.routes.get(event.type)
        if fn is None:
            return True
        routed = routes.device_event(event, self.link.device(event.device_id))
        try:
            with self.app.app_context():
                fn(self.spine, routed)
        except FloorlinkError as exc:
            log.warning("route %s refused %s: %s", event.type, event.event_id, exc.detail)
            self.link.stats.add(route_failures=1)
            return True
        except (peewee.OperationalError, peewee.InterfaceError):
            # the database is away (InterfaceError: a connection it closed, e.g. restarted):
            # retried. Counted as a failure the event was confirmed and its scan lost.
            raise
        except Exception:
            log.exception("route %s failed on %s", event.type, event.event_id)
            self.link.stats.add(route_failures=1)
            return True
        self.link.stats.add(routed=1)
        return True

    def _retrying(self, step: Callable[[], T], stopping: threading.Event) -> T | None:
        """Run `step`, retrying while the database is unreachable; None once stopping."""
        delay = 0.1
        while True:
            try:
                return step()
            except (peewee.OperationalError, peewee.InterfaceError, peewee.IntegrityError) as exc:
                log.warning("device batch not committed, retrying in %.1f s: %s", delay, exc)
                self.link.stats.add(commit_retries=1)
            if stopping.wait(delay):
                return None
            delay = min(delay * 2, 5.0)

    def prune(self) -> None:
        try:
            with connection():
                removed = store.forget_old_inputs()
        except peewee.DatabaseError as exc:
            log.warning("pruning old device inputs failed: %s", exc)
            return
        if removed:
            log.info("forgot %s device inputs older than the broker session", removed)
