"""The edge bridge (``floorlink bridge``): serial devices next to it, MQTT to the server.

Every event is written to a local SQLite spool before it is published and removed only
when the broker acknowledged it, so neither a broker outage nor a crash of the bridge
loses one.
"""
