"""Pure screen builders of the dispatch flow (docs/architecture.md, Floor protocol; names
`dispatch.*`): what the dispatcher sees at the dock. Error feedback is added by the flow."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from server.floor.flow import Action, ActionInput, Screen

HOME = Action("home", "Home")
BACK = Action("back", "Back")
SPLIT_REASONS = {
    "customer": "Customer wants what is ready",
    "damaged": "A package is being repacked",
    "capacity": "Trailer full: the rest goes next",
    "other": "Other (agreed with the carrier)",
}
DOOR_WORDS = {
    "open": "Open",
    "closed": "Closed",
    "offline": "Sensor offline",
    "none": "No door sensor",
}


@dataclass(frozen=True)
class OnManifest:
    """What every screen on a manifest shows: which, where, the door, the counts."""

    manifest: str
    dock: str
    carrier: str  # "DHL Paket" or "DHL any service"
    trailer: str | None
    door: dict[str, Any]  # {"device", "status", "since"}
    loaded: int
    waiting: int

    def target(self, **more: Any) -> dict[str, Any]:
        door = {"status": self.door["status"], "message": door_text(self.door)}
        return {
            "manifest": self.manifest,
            "dock": self.dock,
            "carrier": self.carrier,
            "trailer": self.trailer or "not given",
            "door": door,
            **more,
        }

    def progress(self) -> dict[str, Any]:
        return {"loaded": self.loaded, "waiting": self.waiting}


def door_text(door: dict[str, Any]) -> str:
    word = DOOR_WORDS.get(door["status"], door["status"])
    if door.get("device") and door["status"] != "none":
        word += f" ({door['device']})"
    return word


def scan_dock() -> Screen:
    return Screen(
        name="dispatch.scan_dock",
        title="Dispatch",
        prompt="Scan the dock you load at",
        expect="dock",
        target={"dock": None},
        actions=[HOME],
    )


def choose_manifest(dock: str, manifests: list[tuple[str, str]]) -> Screen:
    """`manifests`: (id, label) of the open manifests at the dock."""
    actions = [Action(f"manifest_{i}", label) for i, (_, label) in enumerate(manifests)]
    return Screen(
        name="dispatch.choose_manifest",
        title=f"Dispatch at {dock}",
        prompt="Choose the manifest you load, or start a new one",
        expect="none",
        target={"dock": dock},
        actions=[*actions, Action("new", "New manifest"), Action("other_dock", "Other dock"), HOME],
    )


def choose_carrier(dock: str, carriers: list[tuple[str, int | None]]) -> Screen:
    """`carriers`: (label, packages waiting or None) in the order offered."""
    actions = [
        Action(f"carrier_{i}", label if n is None else f"{label} ({n} waiting)")
        for i, (label, n) in enumerate(carriers)
    ]
    prompt = (
        "Which carrier picks up here?"
        if actions
        else ("No packed package waits and no carrier is configured: ask a supervisor")
    )
    return Screen(
        name="dispatch.choose_carrier",
        title=f"New manifest at {dock}",
        prompt=prompt,
        expect="none",
        target={"dock": dock},
        actions=[*actions, Action("other_dock", "Other dock"), HOME],
    )


def confirm_dock(dock: str, carrier: str, trailer: str | None) -> Screen:
    return Screen(
        name="dispatch.confirm_dock",
        title=f"New manifest at {dock}",
        prompt=f"Scan {dock} again to open a manifest for {carrier} here "
        "(scan the trailer's id first, if it has one)",
        expect="dock",
        target={"dock": dock, "carrier": carrier, "trailer": trailer or "not given"},
        actions=[BACK, HOME],
    )


def _manifest_actions() -> list[Action]:
    return [
        Action("unload", "Unload a package"),
        Action("progress", "Progress by order"),
        Action("close", "Close manifest"),
        Action("other_dock", "Other dock"),
        HOME,
    ]


def load(on: OnManifest, last: dict[str, Any] | None) -> Screen:
    more: dict[str, Any] = {}
    if last:
        more["last"] = last["sscc"]
        more["order"] = f"{last['order']}: {last['order_loaded']} of {last['order_total']} loaded"
    return Screen(
        name="dispatch.load",
        title=f"Load {on.carrier} at {on.dock}",
        prompt="Scan each package as it goes on the trailer",
        expect="package",
        target=on.target(**more),
        actions=_manifest_actions(),
        progress=on.progress(),
    )


def door_waits(on: OnManifest, reason: str) -> Screen:
    """Loading waits for the door: closed (it changes by itself once open) or its sensor
    offline where the configuration does not allow loading without it."""
    closed = on.door["status"] == "closed"
    return Screen(
        name="dispatch.door_closed" if closed else "dispatch.door_offline",
        title=f"{on.dock}: door {DOOR_WORDS[on.door['status']].lower()}",
        prompt=reason + (" (this screen changes when the door opens)" if closed else ""),
        expect="none",
        target=on.target(),
        actions=[
            Action("progress", "Progress by order"),
            Action("close", "Close manifest"),
            Action("other_dock", "Other dock"),
            HOME,
        ],
        progress=on.progress(),
    )


def unload(on: OnManifest) -> Screen:
    return Screen(
        name="dispatch.unload",
        title=f"Unload at {on.dock}",
        prompt="Scan the package you take off the trailer",
        expect="package",
        target=on.target(),
        actions=[BACK, HOME],
        progress=on.progress(),
    )


def progress(on: OnManifest, orders: dict[str, str]) -> Screen:
    """`orders`: order -> "2 of 3 loaded" (incomplete ones first)."""
    return Screen(
        name="dispatch.progress",
        title=f"{on.carrier} at {on.dock}: by order",
        prompt="Packages loaded per order" if orders else "Nothing is loaded yet",
        expect="none",
        target=orders,
        actions=[BACK, Action("close", "Close manifest"), HOME],
        progress=on.progress(),
    )


def blocked(on: OnManifest, problems: list[str], can_split: bool) -> Screen:
    actions = [Action("split", "Supervisor approves a split")] if can_split else []
    return Screen(
        name="dispatch.close_blocked",
        title=f"{on.carrier} at {on.dock}: not ready to close",
        prompt="; ".join(problems),
        expect="none",
        target=on.target(),
        actions=[*actions, Action("unload", "Unload a package"), BACK, HOME],
        progress=on.progress(),
    )


def split_badge(on: OnManifest) -> Screen:
    return Screen(
        name="dispatch.split_badge",
        title="Split shipment: supervisor approval",
        prompt="Supervisor: scan your badge",
        expect="badge",
        target=on.target(),
        actions=[BACK, HOME],
        progress=on.progress(),
    )


def split_pin(on: OnManifest, badge: str) -> Screen:
    return Screen(
        name="dispatch.split_pin",
        title="Split shipment: supervisor approval",
        prompt=f"{badge}: type your PIN",
        expect="pin",
        target={"badge": badge},
        actions=[BACK, HOME],
        progress=on.progress(),
    )


def split_reason(on: OnManifest, orders: list[str]) -> Screen:
    return Screen(
        name="dispatch.split_reason",
        title="Split shipment: supervisor approval",
        prompt=f"Why may {', '.join(orders)} leave without all packages?",
        expect="none",
        target=on.target(),
        actions=[Action(f"reason_{k}", v) for k, v in SPLIT_REASONS.items()] + [BACK, HOME],
        progress=on.progress(),
    )


def seal(on: OnManifest, required: bool) -> Screen:
    asked = ActionInput("number", "Seal number", 0, 10**15)
    actions = [Action("key_seal", "Key the seal number", asked)]
    if not required:
        actions.append(Action("no_seal", "Close without a seal"))
    return Screen(
        name="dispatch.seal",
        title=f"Close {on.carrier} at {on.dock}",
        prompt="Scan the seal on the trailer door (or key its number)",
        expect="none",
        target=on.target(),
        actions=[*actions, BACK, HOME],
        progress=on.progress(),
    )


def closed(done: dict[str, Any]) -> Screen:
    totals = done["totals"]
    return Screen(
        name="dispatch.closed",
        title=f"Manifest {done['id']} is closed",
        prompt=(
            f"{totals['packages']} packages of {totals['orders']} orders left with "
            f"{done['carrier']}" + (f", seal {done['seal']}" if done.get("seal") else "")
        ),
        expect="dock",
        target={"manifest": done["id"], "dock": done["dock"], "seal": done.get("seal")},
        actions=[Action("next", "Next manifest"), HOME],
        progress={
            "packages": totals["packages"],
            "orders": totals["orders"],
            "weight_g": totals["weight_g"],
        },  # fmt: skip
    )
