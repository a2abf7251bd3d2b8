"""The manifest as documents for the driver and the carrier: a printable PDF (A4, every
SSCC as a GS1-128 barcode, the totals, a box for the signatures) and CSV; the end-of-day
list of every manifest closed on a day, as CSV and PDF.

The PDF uses the labels' embedded fonts and reportlab's vector Code 128 fed FNC1 + AI 00
(server/packing/labels/pdf.py), invariant output: the same manifest gives the same bytes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from server.packing.labels.text import FONT_NAMES, fold, register_fonts, vera_has

WIDTH, HEIGHT = A4
MARGIN = 15 * mm
ROW = 17 * mm  # a package's row: its barcode is 11 mm high, readable by any scanner
BAR_X = 0.33 * mm  # GS1-128 module width (the smallest GS1 allows for logistics is 0.25 mm)
CSV_COLUMNS = ("manifest", "carrier", "service", "dock", "trailer", "seal", "closed_at",
               "order", "sscc", "package", "box", "weight_g", "tracking", "loaded_at",
               "loaded_by")  # fmt: skip
DAY_COLUMNS = ("manifest", "carrier", "service", "dock", "trailer", "seal", "closed_at",
               "closed_by", "packages", "orders", "weight_g")  # fmt: skip


def _t(text: Any) -> str:
    return fold("" if text is None else str(text), vera_has)


def when(stamp: str | None) -> str | None:
    """An API timestamp as a person reads it: 2026-12-02 16:10 UTC."""
    return f"{stamp[:10]} {stamp[11:16]} UTC" if stamp else None


def _carrier(view: dict[str, Any]) -> str:
    service = "any service" if view["service"] == "any" else view["service"]
    return f"{view['carrier']}, {service}"


def kg(grams: int | None) -> str:
    return "-" if grams is None else f"{grams / 1000:.3f} kg"


class _Pages:
    """A canvas with a cursor that starts a new page (and its header line) when full."""

    def __init__(self, title: str, heading: str) -> None:
        register_fonts()
        self.buffer = io.BytesIO()
        self.canvas = Canvas(self.buffer, pagesize=A4, invariant=True, pageCompression=1)
        self.canvas.setTitle(title)
        self.heading = heading
        self.page = 1
        self.y = HEIGHT - MARGIN

    def text(self, x: float, text: str, size: float = 9, bold: bool = False) -> None:
        self.canvas.setFont(FONT_NAMES[bold], size)
        self.canvas.drawString(x, self.y, _t(text))

    def need(self, height: float) -> None:
        if self.y - height < MARGIN + 8 * mm:
            self._footer()
            self.canvas.showPage()
            self.page += 1
            self.y = HEIGHT - MARGIN
            self.text(MARGIN, f"{self.heading} (continued)", 10, True)
            self.y -= 8 * mm

    def _footer(self) -> None:
        self.canvas.setFont(FONT_NAMES[False], 7)
        self.canvas.drawString(MARGIN, MARGIN / 2, _t(f"{self.heading} - page {self.page}"))

    def done(self) -> bytes:
        self._footer()
        self.canvas.showPage()
        self.canvas.save()
        return self.buffer.getvalue()


def manifest_pdf(view: dict[str, Any], ship_from: str = "") -> bytes:
    """`view`: the manifest's detail (server/dispatch/views.py `detail`)."""
    doc = _Pages(f"Manifest {view['id']}", f"Manifest {view['id']}")
    doc.text(MARGIN, f"Carrier manifest {view['id']}", 16, True)
    ident = Code128(view["id"], barWidth=0.25 * mm, barHeight=8 * mm, humanReadable=False)
    ident.drawOn(doc.canvas, WIDTH - MARGIN - ident.width, doc.y - 22 * mm)  # scannable id
    doc.y -= 9 * mm
    facts = [
        ("Carrier", _carrier(view)),
        ("Dock", view["dock"]),
        ("Trailer / vehicle", view["trailer"] or "-"),
        ("Seal", view["seal"] or "-"),
        ("Planned pickup", when(view["planned_pickup_at"]) or "-"),
        ("Closed", when(view["closed_at"]) or f"not closed ({view['status']})"),
        ("From", ship_from or "-"),
    ]
    for name, value in facts:
        doc.text(MARGIN, name, 9, True)
        doc.text(MARGIN + 38 * mm, value)
        doc.y -= 5 * mm
    totals = view["totals"]
    doc.y -= 2 * mm
    doc.text(
        MARGIN,
        f"Total: {totals['packages']} packages, {totals['orders']} orders, "
        f"{kg(totals['weight_g'])}",
        11,
        True,
    )
    doc.y -= 9 * mm
    _package_rows(doc, view["packages"])
    _signatures(doc, view)
    return doc.done()


def _package_rows(doc: _Pages, packages: list[dict[str, Any]]) -> None:
    columns = ((0, "#"), (10, "SSCC"), (105, "Order"), (140, "Weight"), (162, "Tracking"))
    doc.need(ROW)
    for x, name in columns:
        doc.text(MARGIN + x * mm, name, 8, True)
    doc.y -= 3 * mm
    for n, p in enumerate(packages, 1):
        doc.need(ROW)
        top = doc.y
        barcode = Code128("\xf1" + "00" + p["sscc"], barWidth=BAR_X, barHeight=10 * mm,
                          humanReadable=False, quiet=False)  # fmt: skip
        barcode.drawOn(doc.canvas, MARGIN + 10 * mm, top - 11 * mm)
        doc.y = top - 14.5 * mm
        doc.text(MARGIN + 10 * mm, f"(00) {p['sscc']}", 8)
        doc.y = top - 6 * mm
        doc.text(MARGIN, str(n), 9)
        doc.text(MARGIN + 105 * mm, p["order"], 9)
        doc.text(MARGIN + 140 * mm, kg(p["weight_g"]), 9)
        doc.text(MARGIN + 162 * mm, p["tracking"] or "-", 8)
        doc.y = top - ROW


def _signatures(doc: _Pages, view: dict[str, Any]) -> None:
    doc.need(45 * mm)
    doc.y -= 4 * mm
    box_w = (WIDTH - 2 * MARGIN - 6 * mm) / 2
    top = doc.y
    for i, who in enumerate(("Warehouse (dispatcher)", "Driver (carrier)")):
        x = MARGIN + i * (box_w + 6 * mm)
        doc.canvas.rect(x, top - 38 * mm, box_w, 38 * mm)
        doc.y = top - 6 * mm
        doc.text(x + 3 * mm, who, 9, True)
        for k, line in enumerate(("Name", "Signature", "Date and time")):
            doc.y = top - (15 + 9 * k) * mm
            doc.text(x + 3 * mm, f"{line}: ________________________________", 8)
    doc.y = top - 43 * mm
    doc.text(
        MARGIN,
        f"Received {view['totals']['packages']} packages in good order, seal "
        f"{view['seal'] or '________'} intact.",
        8,
    )


def manifest_csv(view: dict[str, Any]) -> bytes:
    """One row per package, with the manifest's facts repeated (a carrier's import)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    head = [view["id"], view["carrier"], view["service"], view["dock"], view["trailer"] or "",
            view["seal"] or "", view["closed_at"] or ""]  # fmt: skip
    for p in view["packages"]:
        writer.writerow([*head, p["order"], p["sscc"], p["package"], p["box"],
                         p["weight_g"] if p["weight_g"] is not None else "", p["tracking"] or "",
                         p["loaded_at"], p["loaded_by"]])  # fmt: skip
    return out.getvalue().encode()


def day_csv(rows: Iterable[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(DAY_COLUMNS)
    for r in rows:
        t = r["totals"]
        writer.writerow([r["id"], r["carrier"], r["service"], r["dock"], r["trailer"] or "",
                         r["seal"] or "", r["closed_at"], r["closed_by"], t["packages"],
                         t["orders"], t["weight_g"]])  # fmt: skip
    return out.getvalue().encode()


def day_pdf(day: str, rows: list[dict[str, Any]]) -> bytes:
    doc = _Pages(f"Manifests closed {day}", f"Manifests closed on {day}")
    doc.text(MARGIN, f"Manifests closed on {day}", 16, True)
    doc.y -= 10 * mm
    columns = ((0, "Manifest"), (62, "Carrier"), (100, "Dock"), (118, "Seal"),
               (140, "Closed"), (160, "Pkgs"), (172, "Weight"))  # fmt: skip
    for x, name in columns:
        doc.text(MARGIN + x * mm, name, 8, True)
    doc.y -= 6 * mm
    for r in rows:
        doc.need(6 * mm)
        t = r["totals"]
        values = (r["id"], _carrier(r), r["dock"], r["seal"] or "-",
                  (r["closed_at"] or "")[11:16], str(t["packages"]), kg(t["weight_g"]))  # fmt: skip
        for (x, _), value in zip(columns, values, strict=True):
            doc.text(MARGIN + x * mm, value, 8)
        doc.y -= 6 * mm
    packages = sum(r["totals"]["packages"] for r in rows)
    weight = sum(r["totals"]["weight_g"] for r in rows)
    doc.need(10 * mm)
    doc.y -= 3 * mm
    doc.text(MARGIN, f"{len(rows)} manifests, {packages} packages, {kg(weight)}", 10, True)
    return doc.done()
