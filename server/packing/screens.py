"""Pure screen builders of the pack flow (docs/architecture.md, Floor protocol; names
`pack.*`): what the packer sees at the station. Error feedback is added by the flow."""

from __future__ import annotations

from typing import Any

from server.floor.flow import Action, ActionInput, Screen

HOME = Action("home", "Home")
SHORT = Action("short", "Units missing or damaged")
SHORT_REASONS = {"missing": "Missing", "damaged": "Damaged"}
OVERRIDE_REASONS = {
    "packaging": "Extra packaging or filler",
    "catalogue": "Catalogue weight is wrong",
    "scale": "Scale needs calibration",
    "other": "Other (checked by hand)",
}


def _progress(order: str, package: int | None = None, of: int | None = None) -> dict[str, Any]:
    progress: dict[str, Any] = {"order": order}
    if package is not None:
        progress["package"] = f"{package} of {of}" if of else str(package)
    return progress


def scan_tote(station: str | None) -> Screen:
    where = f" at {station}" if station else ""
    return Screen(
        name="pack.scan_tote",
        title="Packing",
        prompt=f"Scan a tote from the pack zone{where} (or an order number)",
        expect="tote",
        target={"tote": None},
        actions=[HOME],
    )


def box(order: str, n: int, suggested: str | None, plan: list[str], left: int) -> Screen:
    prompt = f"Take box {suggested}, or scan another box" if suggested else "Scan a box"
    actions = [Action("take_box", f"Take {suggested}")] if suggested else []
    return Screen(
        name="pack.box",
        title=f"Order {order}: package {n}",
        prompt=prompt,
        expect="package",
        target={"box": suggested, "plan": " + ".join(plan), "units": left},
        actions=[*actions, SHORT, HOME],
        progress=_progress(order, n),
    )


def verify(
    order: str,
    n: int,
    box_code: str,
    left: dict[str, int],
    inside: dict[str, int],
    last: tuple[str, int] | None,
    others: list[int],
    checking: bool = False,
) -> Screen:
    if checking:  # back from a weight mismatch: the units are all in, look and weigh again
        return Screen(
            name="pack.verify",
            title=f"Order {order}: package {n} ({box_code})",
            prompt="Check the units in the box, then weigh it again",
            expect="none",
            target={"left": left, "in_package": inside},
            actions=[Action("reweigh", "Weigh again"), SHORT, HOME],
            progress=_progress(order, n),
        )
    actions = []
    if last is not None:
        sku, most = last
        asked = ActionInput("number", f"How many {sku} in this package in total?", 1, most)
        actions.append(Action("key_qty", "Key quantity", asked))
    actions.append(Action("new_package", "New package"))
    if others and inside:
        asked = ActionInput("number", "Move the last unit to package", min(others), max(others))
        actions.append(Action("move", "Move unit to package", asked))
    return Screen(
        name="pack.verify",
        title=f"Order {order}: package {n} ({box_code})",
        prompt="Scan every unit into the box",
        expect="product",
        target={"left": left, "in_package": inside},
        actions=[*actions, SHORT, HOME],
        progress=_progress(order, n),
    )


def short_reason(order: str) -> Screen:
    return Screen(
        name="pack.short_reason",
        title=f"Order {order}: short",
        prompt="What is wrong with the units?",
        expect="none",
        actions=[Action(f"short_{k}", v) for k, v in SHORT_REASONS.items()]
        + [Action("back", "Back"), HOME],
        progress=_progress(order),
    )


def weigh(
    order: str,
    n: int,
    of: int,
    expected_g: int,
    allowed_g: int,
    scale: dict[str, Any],
    manual: bool,
    waiting: str,
) -> Screen:
    actions = []
    if manual:
        asked = ActionInput("number", "Weight in grams", 1, 1_000_000)
        actions.append(Action("key_weight", "Key the weight", asked))
    return Screen(
        name="pack.weigh",
        title=f"Order {order}: weigh package {n} of {of}",
        prompt=f"Put package {n} on the scale"
        + ("" if waiting in ("", "reading", "put the package on the scale") else f": {waiting}"),
        expect="none",
        target={"expected_g": expected_g, "tolerance_g": allowed_g, "scale": scale},
        actions=[*actions, SHORT, HOME],
        progress=_progress(order, n, of),
    )


def mismatch(order: str, n: int, of: int, message: str, scale: dict[str, Any]) -> Screen:
    return Screen(
        name="pack.weight_mismatch",
        title=f"Order {order}: package {n} of {of} weight",
        prompt=f"{message}. Check the contents, then weigh again, or call a supervisor",
        expect="none",
        target={"scale": scale},
        actions=[
            Action("recheck", "Check the contents"),
            Action("reweigh", "Weigh again"),
            Action("override", "Supervisor approves"),
            SHORT,
            HOME,
        ],
        progress=_progress(order, n, of),
    )


def override_badge(order: str) -> Screen:
    return Screen(
        name="pack.override_badge",
        title=f"Order {order}: supervisor approval",
        prompt="Supervisor: scan your badge",
        expect="badge",
        actions=[Action("back", "Back"), HOME],
        progress=_progress(order),
    )


def override_pin(order: str, badge: str) -> Screen:
    return Screen(
        name="pack.override_pin",
        title=f"Order {order}: supervisor approval",
        prompt=f"{badge}: type your PIN",
        expect="pin",
        target={"badge": badge},
        actions=[Action("back", "Back"), HOME],
        progress=_progress(order),
    )


def override_reason(order: str) -> Screen:
    return Screen(
        name="pack.override_reason",
        title=f"Order {order}: supervisor approval",
        prompt="Why may the package ship at this weight?",
        expect="none",
        actions=[Action(f"reason_{k}", v) for k, v in OVERRIDE_REASONS.items()]
        + [Action("back", "Back"), HOME],
        progress=_progress(order),
    )


def no_carrier(order: str, n: int, of: int, message: str) -> Screen:
    return Screen(
        name="pack.no_carrier",
        title=f"Order {order}: package {n} of {of} has no carrier",
        prompt=f"{message}. Ask a supervisor to add a carrier rule, then try again",
        expect="none",
        actions=[Action("retry", "Try again"), SHORT, HOME],
        progress=_progress(order, n, of),
    )


def label(
    order: str, n: int, of: int, sscc: str, carrier: str, service: str, printer: dict[str, Any]
) -> Screen:
    return Screen(
        name="pack.label",
        title=f"Order {order}: label package {n} of {of}",
        prompt="Stick the label on the box and scan it",
        expect="package",
        target={
            "sscc": sscc,
            "carrier": f"{carrier} {service}",
            "printer": printer,
            "label": f"/api/floor/v1/labels/{sscc}.png",
        },
        actions=[Action("reprint", "Reprint label"), HOME],
        progress=_progress(order, n, of),
    )


def done(order: str, packages: int) -> Screen:
    return Screen(
        name="pack.done",
        title=f"Order {order} is packed",
        prompt=f"{packages} package{'s' if packages != 1 else ''} ready for dispatch",
        expect="tote",
        target={"order": order},
        actions=[Action("next", "Next order"), HOME],
        progress=_progress(order),
    )


def cancelled(order: str, tote: str | None) -> Screen:
    where = f" in tote {tote}" if tote else ""
    return Screen(
        name="pack.cancelled",
        title=f"Order {order} was cancelled",
        prompt=f"Put all its units back{where} and leave it for the put-back",
        expect="none",
        actions=[Action("next", "Next order"), HOME],
        progress=_progress(order),
    )
