"""Filling a pack job's packages: the box for each (the suggestion, or a scanned box that
must hold what the package is for), then every unit scanned into it against what was
picked (key a count, a new package, a unit moved to another open package)."""

from __future__ import annotations

from typing import Any

from devices.barcode import Scan
from server.catalog.lookups import product_id_of
from server.floor.flow import Screen
from server.packing import jobs, screens, store
from server.packing.cartonize import Refusal, fits
from server.packing.cartonize import Unit as CartonUnit
from server.packing.catalogue import as_box, box_by_scan
from server.packing.steps import Step
from server.packing.store import PackWork
from server.packing.verify import Match, ScannedUnit, match, remaining
from server.packing.weighing import Pack


class Filling:
    def __init__(self, pack: Pack, work: PackWork) -> None:
        self.pack, self.work = pack, work
        self.st, self.ctx, self.settings = pack.st, pack.ctx, pack.settings

    @property
    def order_id(self) -> str:
        return self.pack.order_id

    def ok(self, message: str) -> Screen:
        return self.pack.ok(message)

    def error(self, message: str) -> Screen:
        return self.pack.error(message)

    def keep(self) -> None:
        self.pack.keep()

    def weighing(self) -> Any:
        return self.pack.weighing()

    def box_screen(self) -> Screen:
        work = self.work
        assert work is not None
        n = len(work.live_packages) + 1
        plan = work.job.plan or []
        suggested = plan[n - 1]["box"] if n - 1 < len(plan) else None
        left = sum(remaining(work.rows, work.verified()).values())
        return screens.box(self.order_id, n, suggested, [p["box"] for p in plan], left)

    def verify_screen(self, package: Any) -> Screen:
        work = self.work
        assert work is not None
        inside: dict[str, int] = {}
        skus = {r.item_id: r.sku for r in work.rows}
        for item in work.items_of(package):
            sku = skus.get(item.tote_item or -1, "?")
            inside[sku] = inside.get(sku, 0) + item.qty
        last = None
        row = next((r for r in work.rows if r.item_id == self.st.last_item), None)
        if row is not None and not row.serials:
            here = sum(i.qty for i in work.items_of(package) if i.tote_item == row.item_id)
            room = row.qty - work.verified().get(row.item_id, 0)
            last = (row.sku, here + room)
        others = [p.seq for p in work.live_packages if p.id != package.id and not p.sscc]
        left = remaining(work.rows, work.verified())
        checking = package.status == "closed"
        return screens.verify(
            self.order_id, package.seq, package.box, left, inside, last, others, checking
        )

    # -- boxes -----------------------------------------------------------------------------------

    def take_box(self) -> Screen:
        work = self.work
        assert work is not None
        n = len(work.live_packages) + 1
        plan = work.job.plan or []
        if n - 1 >= len(plan):
            return self.error("There is no suggestion for this package: scan a box")
        box = box_by_scan(plan[n - 1]["box"])
        if box is None or not box.active:
            return self.error(f"Box {plan[n - 1]['box']} is no longer in the catalogue")
        return self._open(box, suggested=True)

    def box_scanned(self, scan: Scan) -> Screen:
        box = box_by_scan(scan.text)
        if box is None:
            return self.error(f"{scan.text} is not a box of the catalogue")
        if not box.active:
            return self.error(f"Box {box.code} is retired: take another box")
        work = self.work
        assert work is not None
        units = self._units_for_next_package()
        refused = fits(as_box(box), units) if units else None
        if isinstance(refused, Refusal):
            return self.error(f"Box {box.code} is too small: {refused.message}")
        return self._open(box, suggested=False)

    def _units_for_next_package(self) -> list[CartonUnit]:
        """What the next package must hold: the planned units for it, or all that is left."""
        work = self.work
        assert work is not None
        left = remaining(work.rows, work.verified())
        n = len(work.live_packages) + 1
        plan = work.job.plan or []
        if n - 1 < len(plan) and len(plan) > 1:
            planned: dict[str, int] = {}
            for sku in plan[n - 1]["units"]:
                planned[sku] = planned.get(sku, 0) + 1
            left = {sku: min(qty, planned.get(sku, 0)) for sku, qty in left.items()}
        rows = {r.sku: r for r in work.rows}
        return [
            CartonUnit(sku, rows[sku].dims_mm, rows[sku].weight_g)
            for sku, qty in left.items()
            for _ in range(qty)
            if min(rows[sku].dims_mm) > 0
        ]

    def _open(self, box: Any, suggested: bool) -> Screen:
        work = self.work
        assert work is not None
        package = jobs.open_package(work, box, suggested, self.ctx.unit)
        self.st.step, self.st.package, self.st.last_item = Step.VERIFY, package.id, None
        return self.ok(f"Package {package.seq}: box {box.code}. Scan the units into it")

    # -- verifying units -------------------------------------------------------------------------

    def unit_scanned(self, scan: Scan) -> Screen:
        work = self.work
        assert work is not None
        package = work.package(self.st.package)
        if package is None:
            return self.error("Open a package first")
        product_id = product_id_of(scan)
        other = product_id is not None and store.picked_for_other_order(
            product_id, work.order, self.settings.pack_zone_kind
        )
        unit = ScannedUnit(product_id, scan.text, scan.lot, scan.serial)
        found = match(unit, work.rows, work.verified(), work.serials_verified(), other)
        if not isinstance(found, Match):
            return self.error(found.message)
        qty = 1 if scan.serial else max(scan.count or 1, 1)
        room = found.row.qty - work.verified().get(found.row.item_id, 0)
        if qty > room:
            return self.error(f"Only {room} more {found.row.sku} belong in this order")
        jobs.verify(work, package, found.row, qty, scan.serial, self.ctx.unit)
        self.st.last_item = found.row.item_id
        return self._after_verify(f"{qty} {found.row.sku} in package {package.seq}")

    def _after_verify(self, message: str) -> Screen:
        work = self.work
        assert work is not None
        if work.all_verified:
            package = work.package(self.st.package)
            if package is not None:
                jobs.set_status(package, "closed")
            self.keep()
            screen = self.weighing().next_package()
            return screen.with_feedback("ok", f"{message}: all units are packed")
        return self.ok(message)

    def action(self, action: str, value: Any) -> Screen:
        work = self.work
        assert work is not None
        package = work.package(self.st.package)
        if package is None:
            return self.error("Open a package first")
        if action == "new_package":
            if not work.items_of(package):
                return self.error("This package is empty: scan units into it first")
            jobs.close(work, package, self.ctx.unit)
            self.st.step, self.st.package, self.st.last_item = Step.BOX, None, None
            return self.ok(f"Package {package.seq} is closed: take the next box")
        if action == "key_qty":
            return self._keyed(package, value)
        return self._move(package, value)

    def _keyed(self, package: Any, value: Any) -> Screen:
        work = self.work
        assert work is not None
        row = next((r for r in work.rows if r.item_id == self.st.last_item), None)
        if row is None or row.serials:
            return self.error("Scan one unit first, then key how many are in the package")
        here = sum(i.qty for i in work.items_of(package) if i.tote_item == row.item_id)
        room = row.qty - work.verified().get(row.item_id, 0)
        if (
            not isinstance(value, int)
            or isinstance(value, bool)
            or not here <= value <= here + room
        ):
            return self.error(f"Key a number from {here} to {here + room}")
        if value > here:
            jobs.verify(work, package, row, value - here, None, self.ctx.unit)
        return self._after_verify(f"{value} {row.sku} in package {package.seq}")

    def _move(self, package: Any, value: Any) -> Screen:
        work = self.work
        assert work is not None
        target = next((p for p in work.live_packages if p.seq == value and not p.sscc), None)
        if target is None or target.id == package.id:
            return self.error("Key the number of another open package")
        items = work.items_of(package)
        item = next((i for i in reversed(items) if i.tote_item == self.st.last_item), None)
        item = item or (items[-1] if items else None)
        if item is None:
            return self.error("This package is empty")
        sku = jobs.move(work, package, target, item, self.ctx.unit)
        if target.status != "open":
            jobs.set_status(target, "open")
            jobs.set_status(package, "closed")
            self.st.package = target.id
        return self.ok(f"1 {sku} moved to package {target.seq}")
