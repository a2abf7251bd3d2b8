import pytest

from devices import mqtt_topics as topics
from devices.mqtt_topics import Topic, parse_topic


@pytest.mark.parametrize(
    ("built", "expected", "parsed"),
    [
        (
            topics.bridge_status("main", "edge-1"),
            "floorlink/main/bridge/edge-1/status",
            Topic("main", "bridge_status", "edge-1"),
        ),
        (
            topics.availability("main", "scanner-1"),
            "floorlink/main/device/scanner-1/availability",
            Topic("main", "availability", "scanner-1"),
        ),
        (
            topics.state("main", "scale-1"),
            "floorlink/main/device/scale-1/state",
            Topic("main", "state", "scale-1"),
        ),
        (
            topics.event("main", "scanner-1", "scan"),
            "floorlink/main/device/scanner-1/event/scan",
            Topic("main", "event", "scanner-1", "scan"),
        ),
        (
            topics.command("main", "ptl-A01", "show"),
            "floorlink/main/device/ptl-A01/cmd/show",
            Topic("main", "command", "ptl-A01", "show"),
        ),
        (
            topics.command_reply("main", "ptl-A01", "show"),
            "floorlink/main/device/ptl-A01/cmd/show/reply",
            Topic("main", "reply", "ptl-A01", "show"),
        ),
    ],
)
def test_build_and_parse_round_trip(built: str, expected: str, parsed: Topic) -> None:
    assert built == expected
    assert parse_topic(built) == parsed


def test_filters() -> None:
    assert topics.site_filter("main") == "floorlink/main/#"
    assert topics.commands_filter("main", "ptl-1") == "floorlink/main/device/ptl-1/cmd/+"


@pytest.mark.parametrize("bad", ["", "a/b", "+", "#", "x" * 65, "dock door", "-lead", "ü"])
def test_ids_that_cannot_be_a_topic_level_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="Invalid device id"):
        topics.state("main", bad)


@pytest.mark.parametrize(
    "topic",
    [
        "",
        "floorlink",
        "floorlink/main",
        "floorlink/main/device/x",
        "other/main/device/x/state",
        "floorlink/main/device/x/colour",
        "floorlink/main/device/x/event",
        "floorlink/main/device/x/event/scan/extra",
        "floorlink/main/device/x/cmd/show/answer",
        "floorlink/main/bridge/x/state",
        "floorlink/main/robot/x/state",
        "floorlink/main/device/+/state",
        "floorlink/main/device//state",
        "floorlink/main/device/x/state/",
    ],
)
def test_topics_outside_the_scheme_parse_to_none(topic: str) -> None:
    assert parse_topic(topic) is None
