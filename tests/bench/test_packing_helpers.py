"""A smoke test of bench/packing.py's pure helpers (the benchmark itself is a command:
`.venv/bin/python bench/packing.py`, docs/performance.md "Packing")."""

from __future__ import annotations

import datetime as dt
import importlib
import math
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

from server.areas import load_settings
from server.packing.cartonize import Box, Packing, choose
from server.packing.fit3d import fits_alone
from server.packing.labels.model import LogisticLabel, Party
from server.packing.labels.zpl import render_zpl
from server.packing.sscc import compose

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture(scope="module")
def packing() -> ModuleType:
    sys.path.insert(0, str(BENCH))  # the bench's scripts import each other by name
    try:
        return importlib.import_module("packing")
    finally:
        sys.path.remove(str(BENCH))


def test_the_catalogue_is_fixed_and_every_unit_fits_a_box(packing: ModuleType) -> None:
    items = packing.catalogue()
    assert items == packing.catalogue() and len(items) == packing.SKUS
    biggest = max((tuple(b["inner_dims_mm"]) for b in packing.BOXES), key=math.prod)
    assert all(fits_alone(dims, biggest) and grams > 0 for dims, grams in items)


def test_an_order_has_its_units_over_distinct_skus(packing: ModuleType) -> None:
    for units in (1, 7, 50):
        order = packing.carton_order(packing.catalogue(), units, seed=units)
        assert len(order) == units
        assert order == packing.carton_order(packing.catalogue(), units, seed=units)
        assert 1 <= len({u.sku for u in order}) <= 12


def test_the_box_catalogue_takes_a_mixed_order(packing: ModuleType) -> None:
    boxes = [Box(b["code"], tuple(b["inner_dims_mm"]), b["tare_g"], b["max_load_g"])
             for b in packing.BOXES]  # fmt: skip
    result = choose(boxes, packing.carton_order(packing.catalogue(), 20, seed=3))
    assert isinstance(result, Packing)


def test_quantiles_by_nearest_rank(packing: ModuleType) -> None:
    assert packing.pct(list(range(1, 101)), 0.99) == 99
    assert packing.pct([5.0], 0.5) == 5.0
    assert math.isnan(packing.pct([], 0.99))


@pytest.mark.parametrize(
    ("left", "plan", "package", "quota"),
    [(5, "", 1, 5), (5, "M", 1, 5), (5, "M + S", 1, 3), (2, "M + S", 2, 2), (7, "L + M + S", 1, 3)],
)
def test_the_units_of_a_package_of_a_split(
    packing: ModuleType, left: int, plan: str, package: int, quota: int
) -> None:
    assert packing.package_quota(left, plan, package) == quota


def test_the_sscc_is_read_from_the_label_the_server_prints(packing: ModuleType) -> None:
    sscc = compose(0, packing.PREFIX, 42)
    label = LogisticLabel(
        sscc=sscc, ship_from=Party("DC", ("1 Dock Rd",), "10115", "Berlin", "DE"),
        ship_to=Party("Jane Doe", ("5 Elm St",), "20095", "Hamburg", "DE"), carrier="UPS",
        service="Standard", order_external_id="P-1", package_number=1, package_count=1,
        weight_g=900, ship_date=dt.date(2026, 12, 1), tracking=None, gs1_prefix_length=7,
    )  # fmt: skip
    assert packing.sscc_of(render_zpl(label).encode()) == sscc
    assert packing.sscc_of(b"^XA^XZ") is None


def test_the_config_of_the_run_is_valid(packing: ModuleType, tmp_path: Path) -> None:
    printers = {n: ("127.0.0.1", 9100 + n) for n in (1, 2)}
    config = tmp_path / "floorlink.toml"
    config.write_text(packing.devices_toml(2, printers))
    assert len(tomllib.loads(config.read_text())["devices"]) == 4
    settings = load_settings(config, env={}, secret_key="x" * 32)
    stations = {(d.kind, d.station) for d in settings.section("devices")}
    assert stations == {(k, f"PACK-0{n}") for k in ("scale", "printer") for n in (1, 2)}
    assert settings.section("packing").gs1_company_prefix == packing.PREFIX
