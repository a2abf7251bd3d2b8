"""The server side of devices: registry, MQTT ingest, serial scanners, routes and lights.

devices/ knows hardware; this package knows the warehouse: which device serves which
station or location, what is online, and where a device event goes (server/hardware/routes.py).
"""
