"""Packing: from a picked tote to a verified, weighed, labelled package (docs/packing.md)."""
