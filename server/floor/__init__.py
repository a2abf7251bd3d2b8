"""The floor: operator sessions on kiosk devices, server-driven screens, and the flows."""
