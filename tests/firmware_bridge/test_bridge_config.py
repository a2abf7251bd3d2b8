from pathlib import Path

import pytest

from devices.serial_scale import ScaleConfig
from devices.serial_scanner import ScannerConfig
from firmware_bridge.config import ConfigError, LightConfig, load_config

EDGE = """
bridge_id = "edge-pack-01"
site = "main"
mqtt_url = "mqtt://127.0.0.1:1883"
spool_path = "/tmp/spool.db"

[[scanners]]
id = "scanner-pack-01"
port = "/dev/serial/by-id/usb-Honeywell-if00"
station = "PACK-01"
baudrate = 115200
terminator = "CRLF"

[[scales]]
id = "scale-pack-01"
port = "rfc2217://10.0.0.9:4001"
mode = "continuous"
poll_interval = 1

[[lights]]
id = "ptl-A01"
kind = "pick_to_light"
port = "virtual"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "edge.toml"
    path.write_text(text)
    return path


def test_a_full_config_loads(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, EDGE))
    assert config.bridge_id == "edge-pack-01"
    assert config.scanners == (
        ScannerConfig(
            "scanner-pack-01",
            "/dev/serial/by-id/usb-Honeywell-if00",
            "PACK-01",
            115200,
            "CRLF",
        ),
    )
    assert config.scales == (
        ScaleConfig("scale-pack-01", "rfc2217://10.0.0.9:4001", 9600, "continuous", 1.0),
    )
    assert config.lights == (LightConfig("ptl-A01", "pick_to_light", "virtual"),)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("site", "colour"), "unknown key 'colour'"),
        (
            ('terminator = "CRLF"', 'terminator = "CRLF"\nbaud = 9600'),
            "unknown key 'scanners[0].baud'",
        ),
        (('mode = "continuous"', 'mode = "sometimes"'), "scales[0]: scale mode must be"),
        (('terminator = "CRLF"', 'terminator = "TAB"'), "scanners[0]: terminator must be"),
        (("baudrate = 115200", 'baudrate = "fast"'), "'scanners[0].baudrate' must be a int"),
        (('kind = "pick_to_light"', 'kind = "disco"'), "lights[0]: kind must be one of"),
        (('id = "ptl-A01"', 'id = "scale-pack-01"'), "device id 'scale-pack-01' is used twice"),
        (('id = "ptl-A01"', 'id = "ptl A01"'), "Invalid device id 'ptl A01'"),
        (('bridge_id = "edge-pack-01"', ""), "missing key 'bridge_id'"),
        (('site = "main"', "site = 3"), "'site' must be a str"),
        (("[[lights]]", "[lights]"), "'lights' must be an array of tables"),
        (("[[lights]]", "[[lights]"), "edge.toml: "),
    ],
)
def test_config_errors_name_the_key(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    old, new = change
    text = EDGE.replace(old, new, 1) if old != "site" else 'colour = "blue"\n' + EDGE
    with pytest.raises(ConfigError) as error:
        load_config(write(tmp_path, text))
    assert message in str(error.value)
    assert str(error.value).startswith(str(tmp_path / "edge.toml"))


def test_a_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="No such file"):
        load_config(tmp_path / "nope.toml")
