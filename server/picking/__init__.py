"""Picking: from accepted orders to totes at the pack zone (docs/picking.md).

Pure rules first (batching, walk, lots, quantities, screens), then the thin shells:
the models (server/models/picking.py), the handlers and the floor Flow `pick`.
"""
