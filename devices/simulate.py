"""``floorlink simulate``: virtual scanners and a scale on ptys, sensors and lights on MQTT.

Prints one line per serial device (``scanner-1 /dev/pts/7``) so a server or bridge config
can point at it, then plays an optional script and keeps running until interrupted. A
script is TOML (``steps = [...]``) or JSON (``{"steps": [...]}``), one step per string::

    scan scanner-1 "4006381333931"      weigh scale-1 1234.5 [moving]
    door dock-2 open|closed             temp probe-1 4.2
    press ptl-1 [button]                unplug scanner-1 / replug scanner-1
    sleep 0.5                           printer printer-1 on|off|hang

With ``--printer HOST:PORT`` (repeatable; port 0 picks a free one) it also runs virtual
ZPL printers (``devices/virtual_printer.py``), printed as ``printer-1 127.0.0.1:9100``;
``--printer-dir DIR`` keeps every label received as ``DIR/printer-1/label-00001.zpl``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shlex
import signal
import sys
import threading
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from devices.light_commands import LightKind
from devices.simulated import SimulatedScale, SimulatedScanner
from devices.simulated_sensors import SimulatedSensorHub
from devices.virtual_printer import ReceivedLabel, VirtualPrinter
from devices.zpl_printer import format_address, parse_address

logger = logging.getLogger(__name__)


class ScriptError(ValueError):
    """A script step that cannot be played, naming the step."""


@dataclass(frozen=True)
class SimulatorConfig:
    mqtt_url: str = "mqtt://127.0.0.1:1883"
    site: str = "site1"  # the server's default site (server/config.py)
    scanners: int = 2
    scales: int = 1
    doors: int = 2
    probes: int = 1
    pick_lights: int = 2
    stack_lights: int = 1
    link_dir: Path | None = None
    script: Path | None = None
    exit_after_script: bool = False
    printers: tuple[str, ...] = ()
    printer_dir: Path | None = None


def load_script(path: Path) -> list[list[str]]:
    """Read a TOML or JSON script into tokenised steps."""
    text = path.read_text()
    try:
        data = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise ScriptError(f"{path}: {exc}") from exc
    steps = data.get("steps") if isinstance(data, dict) else None
    if not isinstance(steps, list) or not all(isinstance(s, str) for s in steps):
        raise ScriptError(f'{path}: expected steps = ["scan scanner-1 CODE", ...]')
    return [shlex.split(step) for step in steps]


class Simulator:
    """All simulated devices of one run; :meth:`play` executes one script step."""

    def __init__(self, config: SimulatorConfig) -> None:
        self.config = config
        self.scanners = {
            f"scanner-{n}": SimulatedScanner(f"scanner-{n}", self._link(f"scanner-{n}"))
            for n in range(1, config.scanners + 1)
        }
        self.scales = {
            f"scale-{n}": SimulatedScale(f"scale-{n}", self._link(f"scale-{n}"))
            for n in range(1, config.scales + 1)
        }
        lights: dict[str, LightKind] = {
            f"ptl-{n}": "pick_to_light" for n in range(1, config.pick_lights + 1)
        }
        lights.update({f"stack-{n}": "stack_light" for n in range(1, config.stack_lights + 1)})
        self.hub = SimulatedSensorHub(
            config.mqtt_url,
            config.site,
            doors=tuple(f"dock-{n}" for n in range(1, config.doors + 1)),
            probes=tuple(f"probe-{n}" for n in range(1, config.probes + 1)),
            lights=lights,
        )
        self.printers = {
            f"printer-{n}": self._printer(f"printer-{n}", address)
            for n, address in enumerate(config.printers, start=1)
        }

    def _printer(self, device_id: str, address: str) -> VirtualPrinter:
        host, port = parse_address(address)
        directory = self.config.printer_dir / device_id if self.config.printer_dir else None

        def received(label: ReceivedLabel) -> None:
            logger.info("%s: label %d, %d bytes", device_id, label.index, len(label.data))

        return VirtualPrinter(host, port, directory=directory, on_label=received)

    def _link(self, device_id: str) -> Path | None:
        if self.config.link_dir is None:
            return None
        return self.config.link_dir / f"usb-Floorlink_Simulated_{device_id}-if00"

    def serial_paths(self) -> dict[str, str]:
        paths = {d: scanner.path for d, scanner in self.scanners.items()}
        paths.update({d: scale.path for d, scale in self.scales.items()})
        return paths

    def printer_addresses(self) -> dict[str, str]:
        return {d: format_address(printer.address) for d, printer in self.printers.items()}

    def start(self) -> None:
        for scale in self.scales.values():
            scale.start()
        for printer in self.printers.values():
            printer.start()
        self.hub.start()

    def stop(self) -> None:
        self.hub.stop()
        for printer in self.printers.values():
            printer.close()
        for scale in self.scales.values():
            scale.stop()
        for scanner in self.scanners.values():
            scanner.close()

    def play(self, step: list[str], sleep: Callable[[float], object] = time.sleep) -> None:
        """Run one step, e.g. ``["scan", "scanner-1", "4006381333931"]``."""
        if not step:
            return
        verb, args = step[0], step[1:]
        try:
            if verb == "sleep" and len(args) == 1:
                sleep(float(args[0]))
            elif verb in ("scan", "unplug", "replug"):
                self._serial_step(verb, args)
            elif verb == "printer" and len(args) == 2:
                self._printer_step(args[0], args[1])
            elif verb == "weigh" and len(args) in (2, 3):
                stable = args[2:] != ["moving"]
                self.scales[args[0]].set_weight(float(args[1]), stable)
            else:
                self._mqtt_step(verb, args)
        except (KeyError, ValueError, IndexError) as exc:
            raise ScriptError(f"step {' '.join(step)!r}: {exc}") from exc

    def _serial_step(self, verb: str, args: list[str]) -> None:
        scanner = self.scanners[args[0]]
        if verb == "scan" and len(args) == 2:
            scanner.scan(args[1])
        elif verb == "unplug" and len(args) == 1:
            scanner.unplug()
        elif verb == "replug" and len(args) == 1:
            scanner.replug()
        else:
            raise ValueError("wrong arguments")

    def _printer_step(self, device_id: str, state: str) -> None:
        printer = self.printers[device_id]
        if state == "on":
            printer.power_on()
        elif state == "off":
            printer.power_off()
        elif state == "hang":
            printer.hang()
        else:
            raise ValueError("a printer is on, off or hang")

    def _mqtt_step(self, verb: str, args: list[str]) -> None:
        if verb == "door" and len(args) == 2 and args[1] in ("open", "closed"):
            self._known(args[0], self.hub.doors)
            self.hub.door(args[0], args[1] == "open")
        elif verb == "temp" and len(args) == 2:
            self._known(args[0], self.hub.devices)
            self.hub.temperature(args[0], float(args[1]))
        elif verb == "press" and len(args) in (1, 2):
            self._known(args[0], tuple(self.hub.lights))
            self.hub.press(args[0], args[1] if len(args) == 2 else None)
        else:
            raise ValueError("unknown step or wrong arguments")

    @staticmethod
    def _known(device_id: str, devices: tuple[str, ...]) -> None:
        if device_id not in devices:
            raise KeyError(device_id)


def run_simulator(config: SimulatorConfig, stop: threading.Event | None = None) -> int:
    """Start every simulated device, print the serial paths, play the script, run on."""
    stop = stop or threading.Event()
    steps = load_script(config.script) if config.script else []
    simulator = Simulator(config)
    simulator.start()
    try:
        for device_id, path in simulator.serial_paths().items():
            print(f"{device_id} {path}", flush=True)
        for device_id, address in simulator.printer_addresses().items():
            print(f"{device_id} {address}", flush=True)
        for step in steps:
            if stop.is_set():
                break
            simulator.play(step, sleep=stop.wait)
        if not config.exit_after_script:
            while not stop.wait(1.0):
                pass
    finally:
        simulator.stop()
    return 0


def _printer_address(text: str) -> str:
    try:
        parse_address(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
    return text


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="floorlink simulate", description=__doc__.split("\n")[0])
    env = os.environ.get
    parser.add_argument("--mqtt-url", default=env("FLOORLINK_MQTT_URL", "mqtt://127.0.0.1:1883"))
    parser.add_argument("--site", default=env("FLOORLINK_SITE", "site1"))
    for name, default in (("scanners", 2), ("scales", 1), ("doors", 2), ("probes", 1)):
        parser.add_argument(f"--{name}", type=int, default=default, metavar="N")
    parser.add_argument("--pick-lights", type=int, default=2, metavar="N")
    parser.add_argument("--stack-lights", type=int, default=1, metavar="N")
    parser.add_argument("--link-dir", type=Path, help="also create by-id style symlinks here")
    parser.add_argument("--script", type=Path, help="TOML or JSON file with steps to play")
    parser.add_argument("--exit-after-script", action="store_true")
    parser.add_argument(
        "--printer",
        dest="printers",
        action="append",
        default=[],
        metavar="HOST:PORT",
        type=_printer_address,
        help="run a virtual ZPL printer there (repeatable; port 0: a free one)",
    )
    parser.add_argument("--printer-dir", type=Path, help="write each label received here")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    config = SimulatorConfig(**{**vars(args), "printers": tuple(args.printers)})
    stop = threading.Event()

    def request_stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        return run_simulator(config, stop)
    except (ScriptError, OSError) as exc:
        print(f"floorlink simulate: {exc}", file=sys.stderr)
        return 2
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


if __name__ == "__main__":
    sys.exit(main())
