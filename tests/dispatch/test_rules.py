"""The dispatch rules as tables: loading, unloading, the door, closing, the seal, and since
when an open door has seen no loading."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from server.dispatch.doors import idle_since
from server.dispatch.rules import (
    DoorFacts,
    ManifestFacts,
    OrderOnManifest,
    PackageFacts,
    close_problems,
    door_refusal,
    load_refusal,
    seal_problem,
    unload_refusal,
)

M = ManifestFacts("man_1", "DHL", "", "open", "DOCK-1")  # DHL, any service
P = PackageFacts("006141410000000012", "packed", "WEB-1", "packed", False, None, "DHL", "Paket")


def package(**changes: object) -> PackageFacts:
    return dataclasses.replace(P, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("facts", "manifest", "says", "put_back"),
    [
        (P, M, None, False),
        (package(service="Express"), M, None, False),  # the manifest takes any DHL service
        (P, dataclasses.replace(M, service="Paket"), None, False),
        (package(service="Express"), dataclasses.replace(M, service="Paket"),
         "goes with DHL Express, not DHL Paket", False),
        (package(carrier="UPS", service="Standard"), M, "goes with UPS Standard, not DHL", False),
        (None, M, "No package has the SSCC", False),
        (package(status="labelled"), M, "not packed yet (labelled)", False),
        (package(status="voided"), M, "voided at packing", True),
        (package(status="dispatched", manifest="man_0"), M, "already left on manifest man_0",
         False),
        (package(flagged="order cancelled after packing"), M, "was cancelled", True),
        (package(order_status="cancelled"), M, "was cancelled", True),
        (package(held=True), M, "is on hold", True),
        (package(manifest="man_1", manifest_dock="DOCK-1"), M, "already loaded on this manifest",
         False),
        (package(manifest="man_2", manifest_dock="DOCK-2"), M,
         "loaded on manifest man_2 at DOCK-2", False),
        (P, dataclasses.replace(M, status="closed"), "is closed", False),
        # a cancelled order's package is refused even when it is also for another carrier
        (package(order_status="cancelled", carrier="UPS"), M, "was cancelled", True),
        # the rest of a split shipment: its order is already dispatched, it may still go
        (package(order_status="dispatched"), M, None, False),
    ],
)  # fmt: skip
def test_load(
    facts: PackageFacts | None, manifest: ManifestFacts, says: str | None, put_back: bool
) -> None:
    refusal = load_refusal(facts, manifest, "006141410000000012")
    if says is None:
        assert refusal is None
        return
    assert refusal is not None and says in refusal.message, refusal
    assert refusal.put_back is put_back


@pytest.mark.parametrize(
    ("facts", "says"),
    [
        (package(manifest="man_1"), None),
        (package(manifest="man_1", flagged="cancelled"), None),  # off it comes, whatever it is
        (package(manifest=None), "not loaded on this manifest"),
        (package(manifest="man_2"), "not loaded on this manifest"),
        (None, "No package has the SSCC"),
    ],
)
def test_unload(facts: PackageFacts | None, says: str | None) -> None:
    refusal = unload_refusal(facts, M, "006141410000000012")
    assert (refusal.message if refusal else None) == says or (
        refusal is not None and says is not None and says in refusal.message
    )


@pytest.mark.parametrize(
    ("status", "offline_allowed", "waits"),
    [
        ("open", False, None),
        ("none", False, None),  # a dock without a sensor: nothing to wait for
        ("closed", False, "closed"),
        ("closed", True, "closed"),  # allowing an offline sensor never opens a closed door
        ("offline", False, "offline"),
        ("offline", True, None),
    ],
)
def test_door(status: str, offline_allowed: bool, waits: str | None) -> None:
    said = door_refusal(DoorFacts("door-1", status), offline_allowed)  # type: ignore[arg-type]
    assert (said is None) == (waits is None) and (waits is None or waits in (said or ""))


def on(order: str = "WEB-1", **changes: object) -> OrderOnManifest:
    base = OrderOnManifest(order, "packed", False, ["A"], [])
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("orders", "seal", "kinds"),
    [
        ([on()], "S1", []),
        ([on(), on("WEB-2", loaded=["B", "C"])], "S1", []),
        ([], "S1", ["empty"]),
        ([on(elsewhere=["B"])], "S1", ["incomplete"]),
        ([on(elsewhere=["B"], split_approved=True)], "S1", []),
        ([on(order_status="cancelled")], "S1", ["cancelled"]),
        ([on(flagged=["A"])], "S1", ["cancelled"]),
        ([on(held=True)], "S1", ["held"]),
        # a cancelled order is never a split to approve
        ([on(order_status="cancelled", elsewhere=["B"], split_approved=True)], "S1", ["cancelled"]),
        ([on(), on("WEB-2", elsewhere=["D"])], None, ["incomplete", "seal"]),
        ([on()], None, ["seal"]),
        ([on()], "bad seal", ["seal"]),
    ],
)
def test_close(orders: list[OrderOnManifest], seal: str | None, kinds: list[str]) -> None:
    assert [p.kind for p in close_problems(M, orders, seal, True)] == kinds


def test_close_of_a_closed_manifest_says_so() -> None:
    closed = dataclasses.replace(M, status="closed")
    assert [p.kind for p in close_problems(closed, [on()], "S1", True)] == ["not_open"]


@pytest.mark.parametrize(
    ("seal", "required", "ok"),
    [("SEAL-1", True, True), ("123456", True, True), (None, False, True), ("", False, True),
     (None, True, False), ("has space", True, False), ("x" * 65, True, False),
     ("naïve", True, False)],
)  # fmt: skip
def test_seal(seal: str | None, required: bool, ok: bool) -> None:
    assert (seal_problem(seal, required) is None) is ok


T0 = dt.datetime(2026, 12, 2, 8, 0)


@pytest.mark.parametrize(
    ("opened", "loaded", "since"),
    [
        (T0, None, T0),
        (T0, T0 - dt.timedelta(hours=1), T0),  # loading before it opened does not count
        (T0, T0 + dt.timedelta(minutes=5), T0 + dt.timedelta(minutes=5)),
        (None, None, None),
    ],
)
def test_idle_since(opened: dt.datetime | None, loaded: dt.datetime | None, since: object) -> None:
    assert idle_since(opened, loaded) == since
