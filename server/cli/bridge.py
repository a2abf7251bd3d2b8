"""floorlink bridge --config edge.toml: the edge bridge (firmware_bridge/main.py).

Everything after `bridge` goes to firmware_bridge.main.main unchanged, so its own
`--config` (the bridge's edge.toml, not the server's config) reaches it.
"""

from __future__ import annotations

import sys

import click

PASS_THROUGH = {"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []}


def register(cli: click.Group) -> None:
    @cli.command("bridge", context_settings=PASS_THROUGH, add_help_option=False)
    @click.argument("argv", nargs=-1, type=click.UNPROCESSED)
    def bridge(argv: tuple[str, ...]) -> None:
        """The edge bridge next to the devices (--config edge.toml; --help for its options)."""
        from firmware_bridge import main as bridge_main

        sys.exit(bridge_main.main(list(argv)))
