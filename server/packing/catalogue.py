"""The box catalogue and the carrier rules: set by the OMS or a supervisor (PUT
/api/v1/boxes, PUT /api/v1/carrier-rules), read by the pack flow."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from server.errors import InvalidInput, field_error
from server.models import Box, CarrierRule, utcnow
from server.packing import carriers, cartonize
from server.packing.events import BoxesUpserted, CarrierRulesReplaced
from server.packing.settings import PackingSettings
from server.spine import Handlers, Unit

HANDLERS = Handlers()

RULE_FIELDS = (
    "max_weight_g",
    "max_length_mm",
    "max_girth_mm",
    "countries",
    "service_levels",
    "channels",
)


@dataclass(frozen=True)
class UpsertBoxes:
    # {code, barcode?, inner_dims_mm: [l, w, h], tare_g, max_load_g, active?}: a box is
    # never deleted (packages name it); `active: false` retires it
    boxes: list[dict[str, Any]]


@dataclass(frozen=True)
class ReplaceCarrierRules:
    rules: list[dict[str, Any]]  # in order: {id, carrier, service, conditions...}


def box_view(box: Box) -> dict[str, Any]:
    return {
        "code": box.code,
        "barcode": box.barcode,
        "inner_dims_mm": [box.inner_l_mm, box.inner_w_mm, box.inner_h_mm],
        "tare_g": box.tare_g,
        "max_load_g": box.max_load_g,
        "active": box.active,
    }


def rule_view(rule: CarrierRule) -> dict[str, Any]:
    return {"id": rule.rule_id, "carrier": rule.carrier, "service": rule.service} | {
        k: v for k, v in rule.conditions.items() if v not in (None, [], ())
    }


@HANDLERS.handles(UpsertBoxes)
def upsert_boxes(cmd: UpsertBoxes, unit: Unit) -> dict[str, Any]:
    _no_duplicates(cmd.boxes, "code", "boxes")
    _no_duplicates([b for b in cmd.boxes if b.get("barcode")], "barcode", "boxes")
    known = {b.code: b for b in Box.select().where(Box.code.in_([b["code"] for b in cmd.boxes]))}
    created, updated = [], []
    for item in cmd.boxes:
        length, width, height = item["inner_dims_mm"]
        values = {
            "barcode": item.get("barcode") or None,
            "inner_l_mm": length,
            "inner_w_mm": width,
            "inner_h_mm": height,
            "tare_g": item["tare_g"],
            "max_load_g": item["max_load_g"],
            "active": item.get("active", True),
            "updated_at": utcnow(),
        }
        row = known.get(item["code"])
        if row is None:
            Box.create(code=item["code"], **values)
            created.append(item["code"])
        elif box_view(row) != box_view(Box(code=row.code, **values)):
            Box.update(**values).where(Box.id == row.id).execute()
            updated.append(item["code"])
    if created or updated:
        unit.record(BoxesUpserted(created, updated))
    return {"created": len(created), "updated": len(updated)}


@HANDLERS.handles(ReplaceCarrierRules)
def replace_carrier_rules(cmd: ReplaceCarrierRules, unit: Unit) -> dict[str, Any]:
    _no_duplicates(cmd.rules, "id", "rules")
    CarrierRule.delete().execute()
    for position, rule in enumerate(cmd.rules, start=1):
        conditions = {k: rule.get(k) for k in RULE_FIELDS if rule.get(k) not in (None, [])}
        CarrierRule.create(
            rule_id=rule["id"],
            position=position,
            carrier=rule["carrier"],
            service=rule["service"],
            conditions=conditions,
        )
    views = [rule_view(r) for r in CarrierRule.select().order_by(CarrierRule.position)]
    unit.record(CarrierRulesReplaced(views))
    return {"rules": views}


def _no_duplicates(items: list[dict[str, Any]], key: str, where: str) -> None:
    seen: set[Any] = set()
    for i, item in enumerate(items):
        if item[key] in seen:
            raise InvalidInput(
                f"{key} {item[key]} is given twice",
                [field_error(f"{where}[{i}].{key}", "given twice")],
            )
        seen.add(item[key])


def boxes() -> list[cartonize.Box]:
    """The active boxes, as the cartonization rules take them."""
    rows = Box.select().where(Box.active == True).order_by(Box.code)  # noqa: E712
    return [as_box(row) for row in rows]


def as_box(row: Box) -> cartonize.Box:
    dims = (row.inner_l_mm, row.inner_w_mm, row.inner_h_mm)
    return cartonize.Box(row.code, dims, row.tare_g, row.max_load_g)


def box_by_scan(text: str) -> Box | None:
    return Box.get_or_none((Box.code == text) | (Box.barcode == text))


def carrier_rules(settings: PackingSettings) -> list[carriers.CarrierRule]:
    """The rules set by the API; the config's while the API set none."""
    rows = list(CarrierRule.select().order_by(CarrierRule.position))
    if rows:
        return [_rule(r.rule_id, r.carrier, r.service, r.conditions) for r in rows]
    return [
        _rule(r.id, r.carrier, r.service, r.model_dump(include=set(RULE_FIELDS)))
        for r in settings.carrier_rules
    ]


def _rule(rule_id: str, carrier: str, service: str, cond: dict[str, Any]) -> carriers.CarrierRule:
    return carriers.CarrierRule(
        carrier=carrier,
        service=service,
        id=rule_id,
        max_weight_g=cond.get("max_weight_g"),
        max_length_mm=cond.get("max_length_mm"),
        max_girth_mm=cond.get("max_girth_mm"),
        countries=tuple(cond.get("countries") or ()),
        service_levels=tuple(cond.get("service_levels") or ()),
        channels=tuple(cond.get("channels") or ()),
    )
