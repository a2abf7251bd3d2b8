"""The OMS API (/api/v1): one module per area, all declared through `operation`."""
