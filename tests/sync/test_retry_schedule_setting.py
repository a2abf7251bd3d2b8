"""`relay.retry_schedule_s`: the delays between attempts are a setting (the documented
schedule by default); an event is dead-lettered after failed attempt `len + 1`."""

from __future__ import annotations

from server.areas import load_settings
from server.models import WebhookDelivery
from server.spine import Spine
from server.sync.relay import Relay
from server.sync.schedule import SCHEDULE_S
from server.sync.service import from_settings
from tests.sync.conftest import FakeClock, add_endpoint, emit, in_db
from tests.sync.receiver import Receiver


def test_the_default_is_the_documented_schedule() -> None:
    settings = load_settings(env={}, secret_key="k").section("relay")
    assert settings.retry_schedule_s == SCHEDULE_S == (5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400)  # fmt: skip
    env = {"FLOORLINK_SECRET_KEY": "k", "FLOORLINK_RELAY__RETRY_SCHEDULE_S": "0.5, 2"}
    assert load_settings(env=env).section("relay").retry_schedule_s == (0.5, 2.0)


def test_a_configured_schedule_retries_on_it_then_dead_letters(
    spine: Spine, receiver: Receiver, clock: FakeClock
) -> None:
    settings = load_settings(env={}, secret_key="k", relay={"retry_schedule_s": [60, 600]})
    service = from_settings(settings.section("relay"), spine)
    assert service.relay.retry_schedule_s == (60.0, 600.0)
    relay = Relay(spine, clock=clock, rand=lambda: 0.5, retry_schedule_s=(60.0, 600.0))
    add_endpoint(spine, receiver, ["order.*"])
    receiver.script = lambda _r: 503
    emit(spine, ("order.picked", "order:RS-1", {}))
    relay.drain()
    clock.advance(59)
    relay.drain()
    assert len(receiver.log) == 1  # the first retry waits its 60 s
    clock.advance(2)
    relay.drain()
    assert len(receiver.log) == 2
    clock.advance(601)
    relay.drain()
    assert len(receiver.log) == 3  # the 3rd failure is past the schedule: dead
    row = in_db(lambda: WebhookDelivery.get())
    assert (row.status, row.attempts) == ("dead", 3)
    service.relay.sender.close()
    relay.sender.close()
