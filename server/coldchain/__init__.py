"""Cold chain: temperature probes watched against ranges, excursions and stale probes raised
for supervisors, the stock of a location held after an excursion (docs/supervision.md)."""
