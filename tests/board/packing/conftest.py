"""The packing fixtures (a station with a scale and a printer, picked totes) for the board's
packing fixes."""

from tests.packing.conftest import (  # noqa: F401
    _free_totes,
    boxes,
    packer,
    packing_overrides,
    picked,
    printer,
    scale,
    settings,
)
