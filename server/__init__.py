"""Floorlink server: the application that runs a warehouse floor."""
