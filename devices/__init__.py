"""Device I/O that knows hardware, not warehouses.

Barcode decoding, serial scanner and scale readers, the MQTT topic scheme, payloads and
client, and simulated devices. Nothing here imports from ``server``.
"""
