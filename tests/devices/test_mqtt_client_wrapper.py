import queue
import socket
import subprocess
import time
import uuid

import paho.mqtt.client as mqtt
import pytest

from devices.mqtt_client import BrokerAddress, MqttClient, MqttSettings, PublishError, parse_url


def settings(url: str, **changes: object) -> MqttSettings:
    base = {
        "url": url,
        "client_id": f"test-{uuid.uuid4().hex[:8]}",
        "reconnect_min": 0.1,
        "reconnect_max": 0.5,
    }
    base.update(changes)
    return MqttSettings(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("mqtt://127.0.0.1:1883", BrokerAddress("127.0.0.1", 1883)),
        ("mqtt://broker", BrokerAddress("broker", 1883)),
        ("mqtts://broker", BrokerAddress("broker", 8883, tls=True)),
        ("mqtt://floor%40x:p%3Ass@broker:1884", BrokerAddress("broker", 1884, "floor@x", "p:ss")),
    ],
)
def test_parse_url(url: str, address: BrokerAddress) -> None:
    assert parse_url(url) == address


@pytest.mark.parametrize("url", ["http://broker", "broker:1883", "mqtt://"])
def test_parse_url_refuses_what_is_not_an_mqtt_url(url: str) -> None:
    with pytest.raises(ValueError, match="MQTT URL must look like"):
        parse_url(url)


def test_birth_is_retained_and_publishes_arrive(mosquitto, mqtt_probe) -> None:
    status = f"floorlink/t/bridge/{uuid.uuid4().hex[:6]}/status"
    client = MqttClient(settings(mosquitto.url, status_topic=status, birth=b"on", will=b"off"))
    client.start()
    try:
        assert client.wait_connected(5)
        client.publish("floorlink/t/x", b"hello")
        probe = mqtt_probe(mosquitto.url, "floorlink/t/#")
        probe.wait(lambda msgs: any(m.topic == status and m.retain for m in msgs))
        assert [m.payload for m in probe.on(status)] == [b"on"]
        nodelay = client.paho.socket().getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        assert nodelay == 1
    finally:
        client.stop()
    probe.wait(lambda msgs: [m.payload for m in probe.on(status)] == [b"on", b"off"])


def test_last_will_on_a_lost_connection_then_reconnect_and_birth(mosquitto, mqtt_probe) -> None:
    status = f"floorlink/t/bridge/{uuid.uuid4().hex[:6]}/status"
    probe = mqtt_probe(mosquitto.url, status)
    client = MqttClient(settings(mosquitto.url, status_topic=status, birth=b"on", will=b"off"))
    client.start()
    try:
        probe.wait(lambda msgs: [m.payload for m in msgs] == [b"on"])
        client.paho.socket().shutdown(socket.SHUT_RDWR)  # connection dies without DISCONNECT
        probe.wait(lambda msgs: [m.payload for m in msgs] == [b"on", b"off", b"on"])
    finally:
        client.stop()


def test_reconnects_and_resubscribes_after_a_broker_crash(mosquitto_factory) -> None:
    broker = mosquitto_factory()
    received: queue.Queue[bytes] = queue.Queue()
    consumer = MqttClient(
        settings(broker.url, subscriptions=(("t/+", 1),)),
        on_message=lambda m: received.put(m.payload),
    )
    producer = MqttClient(settings(broker.url))
    consumer.start()
    producer.start()
    try:
        assert consumer.wait_connected(5) and producer.wait_connected(5)
        broker.kill()
        deadline = time.monotonic() + 5
        while consumer.is_connected and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not consumer.is_connected
        broker.restart()
        assert consumer.wait_connected(5) and producer.wait_connected(5)
        time.sleep(0.2)  # let the SUBSCRIBE land (the session died with the broker)
        producer.publish("t/a", b"after restart")
        assert received.get(timeout=5) == b"after restart"
    finally:
        producer.stop()
        consumer.stop()


def test_manual_ack_redelivers_what_was_not_acked(mosquitto) -> None:
    client_id = f"ingest-{uuid.uuid4().hex[:6]}"
    topic = f"t/{client_id}"
    got: queue.Queue[mqtt.MQTTMessage] = queue.Queue()

    def consumer() -> MqttClient:
        return MqttClient(
            settings(
                mosquitto.url, client_id=client_id, manual_ack=True, subscriptions=((topic, 1),)
            ),
            on_message=got.put,
        )

    first = consumer()
    first.start()
    producer = MqttClient(settings(mosquitto.url))
    producer.start()
    try:
        assert first.wait_connected(5) and producer.wait_connected(5)
        time.sleep(0.1)
        producer.publish(topic, b"scan-1")
        assert got.get(timeout=5).payload == b"scan-1"
        first.stop()  # crashed before commit: never acked
        second = consumer()
        second.start()
        redelivered = got.get(timeout=5)
        assert (redelivered.payload, redelivered.dup) == (b"scan-1", True)
        second.ack(redelivered)  # committed
        time.sleep(0.2)
        second.stop()
        third = consumer()
        third.start()
        assert third.wait_connected(5)
        with pytest.raises(queue.Empty):
            got.get(timeout=0.5)
        third.stop()
    finally:
        producer.stop()


def test_the_publish_window_is_bounded_and_drains_after_reconnect(mosquitto_factory) -> None:
    broker = mosquitto_factory()
    acked: list[int] = []
    client = MqttClient(
        settings(broker.url, max_inflight=5), on_published=lambda mid, ok: acked.append(mid)
    )
    client.start()
    try:
        assert client.wait_connected(5)
        broker.kill()
        while client.is_connected:
            time.sleep(0.02)
        mids = [client.publish("t/q", str(i).encode()) for i in range(5)]
        assert client.inflight == 5
        with pytest.raises(PublishError, match="5 publishes still unacknowledged"):
            client.publish("t/q", b"six", timeout=0.1)
        broker.restart()
        deadline = time.monotonic() + 10
        while client.inflight and time.monotonic() < deadline:
            time.sleep(0.02)
        assert client.inflight == 0
        assert sorted(acked) == sorted(mids)
    finally:
        client.stop()


def test_start_and_stop_without_a_broker_never_raise() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = MqttClient(settings(f"mqtt://127.0.0.1:{port}"))
    client.start()
    time.sleep(0.3)
    assert not client.is_connected
    client.stop()


def test_credentials_from_the_url_authenticate(mosquitto_factory, tmp_path) -> None:
    passwords = tmp_path / "passwd"
    subprocess.run(
        ["mosquitto_passwd", "-b", "-c", str(passwords), "edge-1", "s3cret:x"], check=True
    )
    broker = mosquitto_factory(f"allow_anonymous false\npassword_file {passwords}\n")
    good = MqttClient(settings(f"mqtt://edge-1:s3cret%3Ax@127.0.0.1:{broker.port}"))
    bad = MqttClient(settings(f"mqtt://edge-1:wrong@127.0.0.1:{broker.port}"))
    good.start()
    bad.start()
    try:
        assert good.wait_connected(5)
        assert not bad.wait_connected(0.5)
    finally:
        good.stop()
        bad.stop()
