"""Returns: RMAs announced by the OMS, received in the returns zone."""
