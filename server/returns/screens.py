"""Pure screen builders of the returns flow (docs/architecture.md, Floor protocol; names
`returns.*`): what the returns clerk sees. Error feedback is added by the flow."""

from __future__ import annotations

from typing import Any

from server.floor.flow import Action, Screen

HOME = Action("home", "Home")
BACK = Action("back", "Back")
DISPOSITION_LABELS = {
    "restock": "Restock",
    "refurbish": "Refurbish",
    "quarantine": "Quarantine",
    "scrap": "Scrap",
    "return_to_vendor": "Return to vendor",
}


def find() -> Screen:
    return Screen(
        name="returns.find",
        title="Returns",
        prompt="Scan the RMA, the order number or the parcel's label",
        expect="rma",
        target={"rma": None},
        actions=[HOME],
    )


def choose(order: str, rmas: list[str]) -> Screen:
    return Screen(
        name="returns.choose",
        title=f"Order {order}",
        prompt=f"Order {order} has {len(rmas)} open returns: which one is this parcel?",
        expect="none",
        target={"order": order},
        actions=[Action(f"open_{i}", rma) for i, rma in enumerate(rmas)] + [BACK, HOME],
    )


def unannounced(order: str) -> Screen:
    return Screen(
        name="returns.unannounced",
        title=f"Order {order}: no return announced",
        prompt=f"Nobody announced a return of order {order}. Open one, or put the parcel aside",
        expect="none",
        target={"order": order},
        actions=[Action("open_return", "Open a return"), Action("aside", "Put aside"), BACK, HOME],
    )


def aside(about: str) -> Screen:
    return Screen(
        name="returns.aside",
        title="Put the parcel aside",
        prompt=f"No return is announced for {about}: put the parcel on the supervisor's shelf",
        expect="rma",
        target={"about": about},
        actions=[Action("next", "Next parcel"), HOME],
    )


def _progress(rma: str, order: str, expected: int, received: int) -> dict[str, Any]:
    return {"rma": rma, "order": order, "received": f"{received} of {expected}"}


def scan_unit(
    rma: str, order: str, left: dict[str, int], expected: int, received: int, unexpected: int,
    unannounced: bool,
) -> Screen:  # fmt: skip
    actions = []
    if unannounced or (not left and received + unexpected):
        actions.append(Action("close", "Close the return"))
    if left and not unannounced:
        actions.append(Action("close_missing", "Close with units missing"))
    prompt = "Scan each unit from the parcel"
    if not left and not unannounced:
        prompt = "Every unit expected is in: scan any other unit, or close the return"
    return Screen(
        name="returns.scan_unit",
        title=f"Return {rma} · order {order}",
        prompt=prompt,
        expect="product",
        target={"rma": rma, "expected": left, "unexpected": unexpected},
        actions=[*actions, Action("other_parcel", "Another parcel"), HOME],
        progress=_progress(rma, order, expected, received),
    )


def grade(
    rma: str, sku: str, name: str, question: dict[str, Any], asked: int, flags: list[str]
) -> Screen:
    actions = [Action(f"answer_{a['id']}", a["label"]) for a in question["answers"]]
    if asked:
        actions.append(Action("back", "Previous question"))
    return Screen(
        name="returns.grade",
        title=f"{sku} · {name}",
        prompt=question["text"],
        expect="none",
        target={"sku": sku, "flags": flags},
        actions=[*actions, HOME],
        progress={"rma": rma, "question": asked + 1},
    )


def put_away(
    rma: str, sku: str, grade_: str, disposition: str, location: str, why: str | None
) -> Screen:
    label = DISPOSITION_LABELS.get(disposition, disposition)
    screen = Screen(
        name="returns.put_away",
        title=f"{sku}: grade {grade_}, {label}",
        prompt=f"Take the unit to {location} and scan the location",
        expect="location",
        target={"location": location, "sku": sku, "grade": grade_, "disposition": disposition},
        actions=[HOME],
        progress={"rma": rma},
    )
    return screen.with_feedback("warn", f"{label}: {why}") if why else screen


def confirm_missing(rma: str, left: dict[str, int]) -> Screen:
    listed = ", ".join(f"{qty} × {sku}" for sku, qty in sorted(left.items()))
    return Screen(
        name="returns.confirm_missing",
        title=f"Return {rma}: close with units missing",
        prompt=f"Close the return without {listed}? They are recorded as missing",
        expect="none",
        target={"missing": left},
        actions=[Action("confirm_missing", "Close with missing"), BACK, HOME],
    )


def done(rma: str, order: str, units: int, missing: int) -> Screen:
    said = f"{units} unit{'s' if units != 1 else ''} received"
    if missing:
        said += f", {missing} missing"
    return Screen(
        name="returns.done",
        title=f"Return {rma} is closed",
        prompt=f"{said}. Scan the next parcel",
        expect="rma",
        target={"rma": rma, "order": order},
        actions=[Action("next", "Next parcel"), HOME],
    )
