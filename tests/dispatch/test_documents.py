"""The manifest's documents read back by tools nobody here wrote: pypdf extracts the PDF's
text, pypdfium2 rasterizes each page and zxing-cpp decodes every SSCC barcode (GS1-128,
`]C1`); the CSV read by the csv module; the end-of-day list."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pypdf
import pypdfium2
import zxingcpp

from tests.dispatch.conftest import manifest_at
from tests.dispatch.test_manifest_api import load
from tests.fixtures.app import Api


def barcodes(pdf: bytes) -> list[tuple[str, str]]:
    """Every Code 128 on every page: (symbology identifier, text), page by page."""
    found = []
    document = pypdfium2.PdfDocument(pdf)
    for page in document:
        image = page.render(scale=4).to_pil()
        for barcode in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.Code128):
            found.append((barcode.symbology_identifier, barcode.text))
    document.close()
    return found


def test_the_manifest_pdf_has_every_sscc_as_a_barcode_totals_and_signatures(
    packed: Callable[..., list[str]], docks: Api, admin_api: Api
) -> None:
    ssccs = []
    for n in range(14):  # more than a page holds
        ssccs += packed(f"WEB-{n}", PEN=1)
    manifest = manifest_at(docks, trailer="TR-77")
    load(manifest, *ssccs)
    assert admin_api.post(f"/manifests/{manifest}/close", {"seal": "SEAL-42"}).status_code == 200
    r = docks.get(f"/manifests/{manifest}.pdf")
    assert r.status_code == 200 and r.content_type == "application/pdf"
    assert f"manifest-{manifest}.pdf" in r.headers["Content-Disposition"]
    reader = pypdf.PdfReader(io.BytesIO(r.data))
    assert len(reader.pages) >= 2
    text = "\n".join(page.extract_text() for page in reader.pages)
    for needed in (manifest, "DHL, any service", "DOCK-1", "TR-77", "SEAL-42",
                   "Total: 14 packages, 14 orders, 14.000 kg", "Driver (carrier)", "Signature"):  # fmt: skip
        assert needed in text, needed
    decoded = barcodes(r.data)
    assert sorted(d for d in decoded if d[0] == "]C1") == sorted(("]C1", f"(00){s}") for s in ssccs)
    assert [d for d in decoded if d[0] != "]C1"] == [("]C0", manifest)]  # the manifest's id
    again = docks.get(f"/manifests/{manifest}.pdf")
    assert again.data == r.data  # the same manifest, the same bytes


def test_the_manifest_csv_has_a_row_per_package(
    packed: Callable[..., list[str]], docks: Api
) -> None:
    a, b = packed("WEB-1", [{"PEN": 1}, {"MUG": 1}], PEN=1, MUG=1)
    manifest = manifest_at(docks)
    load(manifest, a, b)
    r = docks.get(f"/manifests/{manifest}.csv")
    assert r.status_code == 200 and r.content_type.startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.data.decode())))
    assert [(row["sscc"], row["order"], row["weight_g"], row["seal"]) for row in rows] == [
        (a, "WEB-1", "1000", ""),
        (b, "WEB-1", "1000", ""),
    ]
    assert rows[0]["manifest"] == manifest and rows[0]["carrier"] == "DHL"


def test_the_end_of_day_list(packed: Callable[..., list[str]], docks: Api, admin_api: Api) -> None:
    for n, carrier in enumerate(("DHL", "UPS")):
        (sscc,) = packed(f"WEB-{n}", carrier=carrier, PEN=1)
        manifest = manifest_at(docks, carrier=carrier)
        load(manifest, sscc)
        assert admin_api.post(f"/manifests/{manifest}/close", {"seal": f"S{n}"}).status_code == 200
    manifest_at(docks, carrier="DPD")  # open: not on the list
    closed = docks.get("/manifests?status=closed").json["data"]
    day = closed[0]["closed_at"][:10]
    body = docks.get(f"/manifests/day/{day}").json
    assert body["totals"] == {"manifests": 2, "packages": 2, "orders": 2, "weight_g": 2000}
    assert [m["carrier"] for m in body["data"]] == ["DHL", "UPS"]
    rows = list(csv.DictReader(io.StringIO(docks.get(f"/manifests/day/{day}.csv").data.decode())))
    assert [(r["carrier"], r["seal"], r["packages"]) for r in rows] == [
        ("DHL", "S0", "1"), ("UPS", "S1", "1")
    ]  # fmt: skip
    pdf = docks.get(f"/manifests/day/{day}.pdf")
    text = pypdf.PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert f"Manifests closed on {day}" in text and "2 manifests, 2 packages" in text
    assert docks.get("/manifests/day/2001-01-01").json["data"] == []
