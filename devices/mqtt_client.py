"""A small paho-mqtt 2.x wrapper shared by the server, the bridge and the simulator.

What it settles once: connect from ``mqtt://user:pass@host:port`` (``mqtts://`` for TLS),
MQTT v5 with a persistent session (``clean_start=False`` and a session expiry), a retained
birth and last will on a status topic, subscriptions renewed on every connect, automatic
reconnect with backoff, TCP_NODELAY (docs/performance.md, trap 1), optional manual acks so a
consumer acks only after its commit, and a bounded window of unacknowledged QoS 1
publishes with every return code checked (trap 3).

Callbacks run on paho's network thread: keep them short and never block in them.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from devices.publish_window import PublishWindow, WindowFull

logger = logging.getLogger(__name__)

MessageCallback = Callable[[mqtt.MQTTMessage], None]


class PublishError(RuntimeError):
    """A publish was not handed to the client (window full, queue full, bad topic)."""


@dataclass(frozen=True)
class MqttSettings:
    url: str
    client_id: str
    status_topic: str | None = None
    birth: bytes | None = None
    will: bytes | None = None
    subscriptions: tuple[tuple[str, int], ...] = ()
    session_expiry: int = 7 * 24 * 3600
    keepalive: int = 30
    manual_ack: bool = False
    max_inflight: int = 1000
    reconnect_min: float = 0.5
    reconnect_max: float = 30.0


@dataclass(frozen=True)
class BrokerAddress:
    host: str
    port: int
    username: str | None = None
    password: str | None = None
    tls: bool = False


def parse_url(url: str) -> BrokerAddress:
    """``mqtt://[user[:password]@]host[:port]`` (1883) or ``mqtts://...`` (8883)."""
    parts = urlsplit(url)
    if parts.scheme not in ("mqtt", "mqtts", "tcp") or not parts.hostname:
        raise ValueError(f"MQTT URL must look like mqtt://host:port, not {url!r}")
    tls = parts.scheme == "mqtts"
    return BrokerAddress(
        host=parts.hostname,
        port=parts.port or (8883 if tls else 1883),
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        tls=tls,
    )


class MqttClient:
    """One MQTT connection; :meth:`start` never blocks and never fails on a missing broker."""

    def __init__(
        self,
        settings: MqttSettings,
        on_message: MessageCallback | None = None,
        on_connected: Callable[[bool], None] | None = None,
        on_disconnected: Callable[[], None] | None = None,
        on_published: Callable[[int, bool], None] | None = None,
    ) -> None:
        self.settings = settings
        self.address = parse_url(settings.url)
        self._on_message = on_message
        self._on_connected = on_connected
        self._on_disconnected = on_disconnected
        self._on_published = on_published
        self._connected = threading.Event()
        self._window = PublishWindow(settings.max_inflight)
        self._subscribe_mid = -1
        self._session_present = False
        self._client = self._build()

    @property
    def is_connected(self) -> bool:
        """Connected, and the configured subscriptions are acknowledged."""
        return self._connected.is_set()

    @property
    def paho(self) -> mqtt.Client:
        """The underlying paho client (for what this wrapper does not cover)."""
        return self._client

    @property
    def inflight(self) -> int:
        """QoS 1/2 publishes handed to the client and not yet acknowledged by the broker."""
        return len(self._window)

    def wait_connected(self, timeout: float) -> bool:
        return self._connected.wait(timeout)

    def start(self) -> None:
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = self.settings.session_expiry
        self._client.connect_async(
            self.address.host,
            self.address.port,
            keepalive=self.settings.keepalive,
            clean_start=False,
            properties=properties,
        )
        self._client.loop_start()

    def stop(self, timeout: float = 5.0) -> None:
        """Publish the offline status (a clean stop sends no will), disconnect, join."""
        if self.is_connected and self.settings.status_topic and self.settings.will:
            try:
                info = self._publish(self.settings.status_topic, self.settings.will, 1, True, 0)
                info.wait_for_publish(timeout)
            except (PublishError, RuntimeError) as exc:
                logger.warning("Offline status not published: %s", exc)
        self._client.disconnect()
        self._client.loop_stop()
        self._connected.clear()
        # loop_start() opens a socketpair that loop_stop() leaves open until garbage
        # collection (paho issue #627): close it now, or it warns as an unclosed socket.
        self._client._reset_sockets(sockpair_only=True)

    def publish(
        self,
        topic: str,
        payload: bytes,
        *,
        qos: int = 1,
        retain: bool = False,
        timeout: float = 5.0,
    ) -> int:
        """Hand a message to the client and return its mid.

        QoS 1/2 publishes take a slot in the window (``max_inflight``) until the broker
        acknowledges them; when the window stays full for ``timeout`` seconds this raises
        :class:`PublishError`, as it does for any return code but success. While
        disconnected, a QoS 1 message is kept by the client and sent on reconnect.
        """
        return self._publish(topic, payload, qos, retain, timeout).mid

    def _publish(
        self, topic: str, payload: bytes, qos: int, retain: bool, timeout: float
    ) -> mqtt.MQTTMessageInfo:
        if qos > 0:
            try:
                self._window.take(timeout)
            except WindowFull as exc:
                raise PublishError(str(exc)) from exc
        try:
            info = self._client.publish(topic, payload, qos=qos, retain=retain)
        except ValueError as exc:
            self._give_back(qos)
            raise PublishError(f"Cannot publish to {topic!r}: {exc}") from exc
        accepted = (
            (mqtt.MQTT_ERR_SUCCESS,)
            if qos == 0
            else (
                mqtt.MQTT_ERR_SUCCESS,
                mqtt.MQTT_ERR_NO_CONN,
            )
        )
        if info.rc not in accepted:
            self._give_back(qos)
            raise PublishError(f"Publish to {topic!r} failed: {mqtt.error_string(info.rc)}")
        early = self._window.track(info.mid, qos)
        if early is not None:
            self._published(info.mid, early)
        return info

    def _give_back(self, qos: int) -> None:
        if qos > 0:
            self._window.give_back()

    def ack(self, message: mqtt.MQTTMessage) -> None:
        """Acknowledge a received message (only with ``manual_ack=True``), after commit."""
        if self.settings.manual_ack and message.qos > 0:
            self._client.ack(message.mid, message.qos)

    def _handle_publish(self, mid: int, ok: bool) -> None:
        if self._window.settle(mid, ok):
            self._published(mid, ok)

    def _published(self, mid: int, ok: bool) -> None:
        if not ok:
            logger.error("Broker refused publish mid=%s", mid)
        if self._on_published is not None:
            self._on_published(mid, ok)

    # -- paho wiring --------------------------------------------------------------------

    def _build(self) -> mqtt.Client:
        client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2,
            client_id=self.settings.client_id,
            protocol=mqtt.MQTTv5,
            manual_ack=self.settings.manual_ack,
        )
        if self.address.username:
            client.username_pw_set(self.address.username, self.address.password)
        if self.address.tls:
            client.tls_set()
        if self.settings.status_topic and self.settings.will:
            client.will_set(self.settings.status_topic, self.settings.will, qos=1, retain=True)
        client.reconnect_delay_set(self.settings.reconnect_min, self.settings.reconnect_max)  # type: ignore[arg-type]
        client.max_inflight_messages_set(self.settings.max_inflight)
        client.max_queued_messages_set(0)
        client.on_socket_open = _set_nodelay
        client.on_connect = self._paho_connect
        client.on_disconnect = self._paho_disconnect
        client.on_publish = self._paho_publish
        client.on_subscribe = self._paho_subscribe
        client.on_message = self._paho_message
        return client

    def _paho_connect(self, client: mqtt.Client, _u: Any, flags: Any, reason: Any, _p: Any) -> None:
        if reason.is_failure:
            logger.error("MQTT %s refused the connection: %s", self.address.host, reason)
            return
        logger.info("MQTT connected to %s:%s", self.address.host, self.address.port)
        self._session_present = bool(flags.session_present)
        if not self.settings.subscriptions:
            self._ready()
            return
        rc, mid = client.subscribe(list(self.settings.subscriptions))
        if mid is None:  # the connection is already gone again; the next connect retries
            logger.warning("MQTT subscribe not sent: %s", mqtt.error_string(rc))
            return
        self._subscribe_mid = mid

    def _paho_subscribe(self, _c: Any, _u: Any, mid: int, reasons: Any, _p: Any) -> None:
        if mid != self._subscribe_mid:
            return
        for (topic, _qos), reason in zip(self.settings.subscriptions, reasons, strict=False):
            if reason.is_failure:
                logger.error("MQTT subscription to %s refused: %s", topic, reason)
        self._ready()

    def _ready(self) -> None:
        """Connected and subscribed: announce the birth, then tell the owner."""
        if self.settings.status_topic and self.settings.birth:
            try:
                self._publish(self.settings.status_topic, self.settings.birth, 1, True, 0)
            except PublishError as exc:
                logger.error("Birth not published: %s", exc)
        self._connected.set()
        if self._on_connected is not None:
            self._on_connected(self._session_present)

    def _paho_disconnect(self, _c: Any, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        was_connected = self._connected.is_set()
        self._connected.clear()
        if was_connected:
            logger.warning("MQTT disconnected from %s: %s", self.address.host, reason)
            if self._on_disconnected is not None:
                self._on_disconnected()

    def _paho_publish(self, _c: Any, _u: Any, mid: int, reason: Any, _p: Any) -> None:
        self._handle_publish(mid, not reason.is_failure)

    def _paho_message(self, _c: Any, _u: Any, message: mqtt.MQTTMessage) -> None:
        if self._on_message is None:
            return
        try:
            self._on_message(message)
        except Exception:
            logger.exception("MQTT message handler failed on %s", message.topic)


def _set_nodelay(_client: mqtt.Client, _userdata: Any, sock: Any) -> None:
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except (OSError, AttributeError) as exc:  # not a TCP socket (e.g. a websocket wrapper)
        logger.debug("TCP_NODELAY not set: %s", exc)
