"""Totes: reusable containers and what is in one for an order, shared by picking (which
fills them) and packing (which empties them)."""
