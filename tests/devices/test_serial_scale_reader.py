from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.mtsics import ScaleError, Tare, Weight, Zeroed
from devices.serial_link import Backoff
from devices.serial_scale import ScaleConfig, SerialScaleReader
from devices.simulated import SimulatedScale
from tests.devices.recorder import DeviceRecorder


@pytest.fixture
def scale(tmp_path: Path) -> Iterator[SimulatedScale]:
    device = SimulatedScale("scale-1", tmp_path / "by-id" / "usb-scale-1", stream_interval=0.05)
    device.start()
    yield device
    device.stop()


def start_reader(scale: SimulatedScale, mode: str, readings: DeviceRecorder) -> SerialScaleReader:
    config = ScaleConfig(id="scale-1", port=scale.path, mode=mode, poll_interval=0.05)  # type: ignore[arg-type]
    reader = SerialScaleReader(config, readings.on_reading, readings.on_status, Backoff(0.05, 0.1))
    reader.start()
    return reader


@pytest.mark.parametrize("mode", ["poll", "continuous"])
def test_weights_follow_the_pan(scale: SimulatedScale, mode: str) -> None:
    readings = DeviceRecorder()
    reader = start_reader(scale, mode, readings)
    try:
        scale.set_weight(812.0, stable=False)
        readings.wait(lambda: Weight(812.0, False) in readings.readings)
        scale.set_weight(1234.5)
        readings.wait(lambda: Weight(1234.5, True) in readings.readings)
    finally:
        reader.stop()
    assert readings.statuses[0] == "online"


def test_zero_and_tare_commands(scale: SimulatedScale) -> None:
    readings = DeviceRecorder()
    reader = start_reader(scale, "continuous", readings)
    try:
        scale.set_weight(100.0)
        readings.wait(lambda: Weight(100.0, True) in readings.readings)
        assert reader.send("T")
        readings.wait(lambda: Tare(100.0, True) in readings.readings)
        scale.set_weight(350.0)
        readings.wait(lambda: Weight(250.0, True) in readings.readings)
        assert reader.send("Z")
        readings.wait(lambda: Zeroed(True) in readings.readings)
    finally:
        reader.stop()


def test_s_on_a_moving_pan_is_refused(scale: SimulatedScale) -> None:
    readings = DeviceRecorder()
    reader = start_reader(scale, "continuous", readings)
    try:
        scale.set_weight(5.0, stable=False)
        readings.wait(lambda: Weight(5.0, False) in readings.readings)
        reader.send("S")
        readings.wait(lambda: any(isinstance(r, ScaleError) for r in readings.readings))
    finally:
        reader.stop()


def test_a_silent_scale_goes_offline_and_back(scale: SimulatedScale) -> None:
    readings = DeviceRecorder()
    config = ScaleConfig(id="scale-1", port=scale.path, mode="poll", poll_interval=0.05)
    reader = SerialScaleReader(config, readings.on_reading, readings.on_status)
    reader.start()
    try:
        readings.wait(lambda: len(readings.readings) > 0)
        scale.powered = False
        readings.wait(lambda: readings.statuses[-1:] == ["offline"], timeout=5)
        scale.powered = True
        readings.wait(lambda: readings.statuses[-1:] == ["online"])
    finally:
        reader.stop()
