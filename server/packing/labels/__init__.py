"""The package label: a GS1 logistic label (4x6 in) as ZPL for the printer, PDF and PNG.

`model.LogisticLabel` says what is on it; `layout.layout` places it once, in points from
the top left; `zpl`, `pdf` and `png` draw that layout. Nothing here touches the database.
"""
