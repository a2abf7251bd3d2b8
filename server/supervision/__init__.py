"""Supervisor exceptions: what the floor or the relay could not settle on its own."""
