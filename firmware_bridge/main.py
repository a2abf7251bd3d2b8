"""``floorlink bridge --config edge.toml`` (also ``python -m firmware_bridge.main``)."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from types import FrameType

from firmware_bridge.bridge import Bridge
from firmware_bridge.config import ConfigError, load_config

logger = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="floorlink bridge",
        description="Read serial scanners and scales, publish them over MQTT with "
        "store-and-forward, and drive pick-to-light and stack lights.",
    )
    parser.add_argument(
        "--config",
        default=os.environ.get("FLOORLINK_BRIDGE_CONFIG", "edge.toml"),
        help="the bridge's TOML file (default: $FLOORLINK_BRIDGE_CONFIG or edge.toml)",
    )
    parser.add_argument("--log-level", default="INFO", help="DEBUG, INFO, WARNING, ERROR")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"floorlink bridge: {exc}", file=sys.stderr)
        return 2
    stopping = threading.Event()

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        logger.info("Signal %s: stopping", signum)
        stopping.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    bridge = Bridge(config)
    bridge.start()
    try:
        while not stopping.wait(1.0):
            pass
    finally:
        bridge.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


if __name__ == "__main__":
    sys.exit(main())
