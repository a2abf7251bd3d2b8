import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from devices.mtsics import ScaleError, Tare, Weight, Zeroed
from devices.serial_link import Backoff
from devices.serial_scale import ScaleConfig, SerialScaleReader
from devices.simulated import SimulatedScale


class Readings:
    def __init__(self) -> None:
        self.items: list[object] = []
        self.statuses: list[str] = []
        self._changed = threading.Condition()

    def on_reading(self, scale_id: str, reading: object) -> None:
        with self._changed:
            self.items.append(reading)
            self._changed.notify_all()

    def on_status(self, device_id: str, status: str, ts: float) -> None:
        with self._changed:
            self.statuses.append(status)
            self._changed.notify_all()

    def wait(self, condition: Callable[[], bool], timeout: float = 5.0) -> None:
        with self._changed:
            assert self._changed.wait_for(condition, timeout), (self.items[-5:], self.statuses)


@pytest.fixture
def scale(tmp_path: Path) -> Iterator[SimulatedScale]:
    device = SimulatedScale("scale-1", tmp_path / "by-id" / "usb-scale-1", stream_interval=0.05)
    device.start()
    yield device
    device.stop()


def start_reader(scale: SimulatedScale, mode: str, readings: Readings) -> SerialScaleReader:
    config = ScaleConfig(id="scale-1", port=scale.path, mode=mode, poll_interval=0.05)  # type: ignore[arg-type]
    reader = SerialScaleReader(config, readings.on_reading, readings.on_status, Backoff(0.05, 0.1))
    reader.start()
    return reader


@pytest.mark.parametrize("mode", ["poll", "continuous"])
def test_weights_follow_the_pan(scale: SimulatedScale, mode: str) -> None:
    readings = Readings()
    reader = start_reader(scale, mode, readings)
    try:
        scale.set_weight(812.0, stable=False)
        readings.wait(lambda: Weight(812.0, False) in readings.items)
        scale.set_weight(1234.5)
        readings.wait(lambda: Weight(1234.5, True) in readings.items)
    finally:
        reader.stop()
    assert readings.statuses[0] == "online"


def test_zero_and_tare_commands(scale: SimulatedScale) -> None:
    readings = Readings()
    reader = start_reader(scale, "continuous", readings)
    try:
        scale.set_weight(100.0)
        readings.wait(lambda: Weight(100.0, True) in readings.items)
        assert reader.send("T")
        readings.wait(lambda: Tare(100.0, True) in readings.items)
        scale.set_weight(350.0)
        readings.wait(lambda: Weight(250.0, True) in readings.items)
        assert reader.send("Z")
        readings.wait(lambda: Zeroed(True) in readings.items)
    finally:
        reader.stop()


def test_s_on_a_moving_pan_is_refused(scale: SimulatedScale) -> None:
    readings = Readings()
    reader = start_reader(scale, "continuous", readings)
    try:
        scale.set_weight(5.0, stable=False)
        readings.wait(lambda: Weight(5.0, False) in readings.items)
        reader.send("S")
        readings.wait(lambda: any(isinstance(r, ScaleError) for r in readings.items))
    finally:
        reader.stop()


def test_a_silent_scale_goes_offline_and_back(scale: SimulatedScale) -> None:
    readings = Readings()
    config = ScaleConfig(id="scale-1", port=scale.path, mode="poll", poll_interval=0.05)
    reader = SerialScaleReader(config, readings.on_reading, readings.on_status)
    reader.start()
    try:
        readings.wait(lambda: len(readings.items) > 0)
        scale.powered = False
        readings.wait(lambda: readings.statuses[-1:] == ["offline"], timeout=5)
        scale.powered = True
        readings.wait(lambda: readings.statuses[-1:] == ["online"])
    finally:
        reader.stop()
