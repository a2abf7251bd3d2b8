"""The tracking reference a customer follows, and boxes retired from the catalogue: a
carrier that tracks by SSCC gets it at labelling, another gets it from the OMS or a carrier
integration; a retired box is never suggested and is refused at a scan."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.fixtures.app import Api
from tests.floor.conftest import Kiosk
from tests.packing.conftest import BOXES
from tests.packing.test_pack_flow import current, events_of, feedback


def pack(packer: Kiosk, scale: Callable[..., None], box_scan: str | None = None) -> str:
    """WEB-1 (two mugs and a pen) packed at the station: its SSCC."""
    packer.send(scan="T1")
    packer.send(action="take_box") if box_scan is None else packer.send(scan=box_scan)
    for barcode in ("4006381333931", "4006381333931", "96385074"):
        packer.send(scan=barcode)
    scale(packer.screen["target"]["expected_g"] + 2.0)
    sscc = current(packer)["target"]["sscc"]
    packer.send(scan=f"00{sscc}")
    assert packer.screen["name"] == "pack.done", packer.screen
    return str(sscc)


@pytest.fixture
def packing_overrides() -> dict[str, Any]:
    return {"tracking_is_sscc": ["DHL"]}


def test_a_carrier_that_tracks_by_sscc_gets_it_at_labelling(
    picked: Callable[..., str], packer: Kiosk, scale: Callable[..., None], site: Api
) -> None:
    picked("WEB-1", MUG=2, PEN=1)
    sscc = pack(packer, scale)  # under 2 kg: DHL Paket
    assert site.get(f"/packages/{sscc}").json["tracking"] == sscc
    (package,) = events_of("WEB-1", "order.packed")[0]["packages"]
    assert package["tracking"] == sscc
    (set_,) = events_of("WEB-1", "package.tracking_set")
    assert set_ == {"type": "package.tracking_set", "external_id": "WEB-1", "package": 1,
                    "sscc": sscc, "tracking": sscc, "source": "sscc"}  # fmt: skip


@pytest.mark.parametrize("packing_overrides", [{}])
def test_the_oms_sets_a_tracking_reference_and_bad_ones_are_refused(
    picked: Callable[..., str], packer: Kiosk, scale: Callable[..., None], site: Api
) -> None:
    picked("WEB-1", MUG=2, PEN=1)
    sscc = pack(packer, scale)
    assert site.get(f"/packages/{sscc}").json["tracking"] is None
    r = site.put(f"/packages/{sscc}/tracking", {"tracking": "JD014600006281234567"})
    assert r.status_code == 200, r.json
    assert site.get(f"/packages/{sscc}").json["tracking"] == "JD014600006281234567"
    again = site.put(f"/packages/{sscc}/tracking", {"tracking": "JD014600006281234567"})
    assert again.status_code == 200
    assert len(events_of("WEB-1", "package.tracking_set")) == 1  # the same again: no event
    bad = site.put(f"/packages/{sscc}/tracking", {"tracking": "has space"})
    assert bad.status_code == 422 and bad.content_type == "application/problem+json"
    unknown = site.put("/packages/006141410000000000/tracking", {"tracking": "X1"})
    assert unknown.status_code == 404 and unknown.content_type == "application/problem+json"


def test_a_retired_box_is_never_suggested_and_is_refused_at_a_scan(
    picked: Callable[..., str], packer: Kiosk, scale: Callable[..., None], site: Api
) -> None:
    retired = [b | {"active": False} for b in BOXES if b["code"] == "M"]
    assert site.put("/boxes", {"boxes": retired}).json == {"created": 0, "updated": 1}
    assert {b["code"]: b["active"] for b in site.get("/boxes").json["data"]}["M"] is False
    picked("WEB-1", MUG=2, PEN=1)
    packer.send(scan="T1")
    assert packer.screen["target"]["box"] == "L", packer.screen  # M would be the smallest
    packer.send(scan="BOX-M")
    assert feedback(packer) == ("error", "Box M is retired: take another box")
    packer.send(action="take_box")
    assert packer.screen["name"] == "pack.verify", packer.screen
