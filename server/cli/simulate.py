"""floorlink simulate [ARGS...]: virtual scanners (ptys) and sensors (MQTT) for demos and tests.

Everything after `simulate` goes to devices.simulate.main unchanged (`floorlink simulate
--help` shows its options).
"""

from __future__ import annotations

import sys

import click

PASS_THROUGH = {"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []}


def register(cli: click.Group) -> None:
    @cli.command("simulate", context_settings=PASS_THROUGH, add_help_option=False)
    @click.argument("argv", nargs=-1, type=click.UNPROCESSED)
    def simulate(argv: tuple[str, ...]) -> None:
        """Virtual scanners and sensors (devices/simulate.py; --help for its options)."""
        from devices import simulate as simulator

        sys.exit(simulator.main(list(argv)))
