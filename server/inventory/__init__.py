"""Stock on hand, reservations and their rules."""
