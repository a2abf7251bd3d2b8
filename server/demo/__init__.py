"""A realistic demo site, seeded through the same commands the OMS API runs."""
