"""Dispatch's rules as pure functions over plain facts (docs/dispatch.md): may this package
be loaded onto this manifest, may it come off again, may loading go on at this door, may
the manifest be closed. The flow and the handlers read the facts from the database and act
on the answer; the rules never touch it (tests/dispatch/test_rules.py holds them in
tables)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from server.models.dispatch import ANY_SERVICE

SEAL = re.compile(r"^[\x21-\x7e]{1,64}$")
DoorStatus = Literal["open", "closed", "offline", "none"]


@dataclass(frozen=True)
class ManifestFacts:
    manifest_id: str
    carrier: str
    service: str  # ANY_SERVICE: every service of the carrier
    status: str
    dock: str


@dataclass(frozen=True)
class PackageFacts:
    sscc: str
    status: str  # the package's status (server/models/packing.py)
    order: str  # the order's external id
    order_status: str
    held: bool  # the order has a hold
    flagged: str | None  # packing's reason dispatch must refuse it
    carrier: str | None
    service: str | None
    manifest: str | None = None  # the manifest it is loaded on, if any
    manifest_dock: str | None = None


@dataclass(frozen=True)
class Refusal:
    """Why a scan is refused. `put_back`: the package must not leave (cancelled, held), so
    the dispatcher takes it to the put-back and supervisors are told."""

    message: str
    put_back: bool = False


def carrier_label(carrier: str | None, service: str | None) -> str:
    return f"{carrier or '?'} {service or 'any service'}".strip()


def serves(manifest: ManifestFacts, carrier: str | None, service: str | None) -> bool:
    """The manifest takes packages of this carrier (and service, unless it takes any)."""
    if carrier != manifest.carrier:
        return False
    return manifest.service == ANY_SERVICE or service == manifest.service


def load_refusal(p: PackageFacts | None, m: ManifestFacts, scanned: str) -> Refusal | None:
    """Why the package may not be loaded onto the manifest now, or None: it may."""
    if m.status != "open":
        return Refusal(f"Manifest {m.manifest_id} is {m.status}: nothing more can be loaded")
    if p is None:
        return Refusal(f"No package has the SSCC {scanned}: check the label")
    if p.status == "dispatched":
        return Refusal(f"Package {p.sscc} has already left on manifest {p.manifest}")
    if p.status == "voided":
        return Refusal(
            f"Package {p.sscc} was voided at packing: its label is not valid, "
            "take it to the put-back",
            put_back=True,
        )
    if p.flagged or p.order_status == "cancelled":
        return Refusal(
            f"Do not load {p.sscc}: order {p.order} was cancelled. Take it to the put-back",
            put_back=True,
        )
    if p.held:
        return Refusal(
            f"Do not load {p.sscc}: order {p.order} is on hold. Take it to the put-back "
            "for the supervisor",
            put_back=True,
        )
    if p.status != "packed":
        return Refusal(f"Package {p.sscc} is not packed yet ({p.status}): finish packing first")
    if p.manifest == m.manifest_id:
        return Refusal(f"Package {p.sscc} is already loaded on this manifest")
    if p.manifest is not None:
        return Refusal(
            f"Package {p.sscc} is loaded on manifest {p.manifest} at {p.manifest_dock}: "
            "unload it there first"
        )
    if not serves(m, p.carrier, p.service):
        return Refusal(
            f"Package {p.sscc} goes with {carrier_label(p.carrier, p.service)}, not "
            f"{carrier_label(m.carrier, m.service or None)}: take it to that carrier's dock"
        )
    return None


def unload_refusal(p: PackageFacts | None, m: ManifestFacts, scanned: str) -> Refusal | None:
    """Why the package cannot be taken off the manifest, or None."""
    if m.status != "open":
        return Refusal(f"Manifest {m.manifest_id} is {m.status}: it cannot change any more")
    if p is None:
        return Refusal(f"No package has the SSCC {scanned}: check the label")
    if p.manifest != m.manifest_id:
        return Refusal(f"Package {p.sscc} is not loaded on this manifest")
    return None


@dataclass(frozen=True)
class DoorFacts:
    device: str | None  # the door sensor at the dock (None: the dock has none)
    status: DoorStatus


def door_refusal(door: DoorFacts, offline_allowed: bool) -> str | None:
    """Why loading waits at this door, or None: the door is open (or unknown and allowed)."""
    if door.status == "closed":
        return "The dock door is closed: open it to load"
    if door.status == "offline" and not offline_allowed:
        return (
            f"The door sensor {door.device} is offline: loading is blocked at this dock "
            "until it is back (or a supervisor allows it in the configuration)"
        )
    return None


@dataclass(frozen=True)
class OrderOnManifest:
    """One order with packages on the manifest: what is loaded and what is not."""

    order: str
    order_status: str
    held: bool
    loaded: list[str]  # its SSCCs on this manifest
    elsewhere: list[str]  # its packages not dispatched and not on this manifest
    flagged: list[str] = field(default_factory=list)  # loaded ones packing flagged
    split_approved: bool = False


@dataclass(frozen=True)
class Problem:
    kind: Literal["not_open", "empty", "cancelled", "held", "incomplete", "seal"]
    message: str
    order: str | None = None
    ssccs: tuple[str, ...] = ()
    brief: str = ""  # what a handheld's screen says (the message names every SSCC)

    @property
    def said(self) -> str:
        return self.brief or self.message


def seal_problem(seal: str | None, required: bool) -> Problem | None:
    if seal is None or seal == "":
        if required:
            return Problem("seal", "Scan or key the trailer's seal number to close")
        return None
    if not SEAL.match(seal):
        return Problem("seal", "A seal number is 1 to 64 printable characters without spaces")
    return None


def close_problems(
    m: ManifestFacts, orders: list[OrderOnManifest], seal: str | None, seal_required: bool
) -> list[Problem]:
    """Everything that stops the manifest from closing now (empty: it may close)."""
    if m.status != "open":
        return [Problem("not_open", f"Manifest {m.manifest_id} is {m.status}")]
    if not orders:
        return [Problem("empty", "Nothing is loaded on this manifest")]
    problems = []
    for o in orders:
        if o.order_status == "cancelled" or o.flagged:
            ssccs = tuple(o.flagged or o.loaded)
            problems.append(
                Problem(
                    "cancelled",
                    f"Order {o.order} was cancelled: unload {', '.join(ssccs)} and take "
                    "it to the put-back",
                    o.order,
                    ssccs,
                    f"Order {o.order} was cancelled: unload its {len(ssccs)} package(s)",
                )
            )
        elif o.held:
            problems.append(
                Problem(
                    "held",
                    f"Order {o.order} is on hold: unload {', '.join(o.loaded)}",
                    o.order,
                    tuple(o.loaded),
                    f"Order {o.order} is on hold: unload its {len(o.loaded)} package(s)",
                )
            )
        elif o.elsewhere and not o.split_approved:
            total = len(o.loaded) + len(o.elsewhere)
            problems.append(
                Problem(
                    "incomplete",
                    f"Order {o.order}: {len(o.loaded)} of {total} packages loaded; load "
                    f"{', '.join(o.elsewhere)} or a supervisor approves a split",
                    o.order,
                    tuple(o.elsewhere),
                    f"Order {o.order}: {len(o.loaded)} of {total} packages loaded",
                )
            )
    sealed = seal_problem(seal, seal_required)
    if sealed is not None:
        problems.append(sealed)
    return problems
