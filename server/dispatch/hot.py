"""The load scan's reads, hand-written (server/rawsql.py): every SSCC scanned at a dock runs
them, and peewee building the joined statements cost more than the disk (docs/performance.md,
"Dispatch"). Each answers what server/dispatch/store.py answers with models, for the flow's
hot path: the manifest with its dock, the facts of a scanned package, the counts a load
screen shows, the scanned package's order's progress."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from server import rawsql
from server.db import is_postgres
from server.dispatch.rules import ManifestFacts, PackageFacts
from server.errors import NotFound
from server.models import Location, Package
from server.models.dispatch import ANY_SERVICE, Manifest

_MANIFEST = (
    'SELECT m."id", m."manifest_id", m."carrier", m."service", m."status", m."trailer", '
    'm."closed_by", l."id", l."code" FROM "manifest" m JOIN "location" l ON l."id" = m."dock_id" '
    'WHERE m."manifest_id" = ?'
)


@dataclass
class ManifestRow:
    """What the flow needs of a manifest on every input."""

    id: int
    manifest_id: str
    carrier: str
    service: str
    status: str
    trailer: str | None
    closed_by: str | None
    dock_id: int
    dock_code: str

    @property
    def facts(self) -> ManifestFacts:
        return ManifestFacts(
            self.manifest_id, self.carrier, self.service, self.status, self.dock_code
        )

    def model(self) -> Manifest:
        """As a model (with its dock) for the functions that take one."""
        m = Manifest(id=self.id, manifest_id=self.manifest_id, carrier=self.carrier,
                     service=self.service, status=self.status, trailer=self.trailer,
                     closed_by=self.closed_by)  # fmt: skip
        m.dock = Location(id=self.dock_id, code=self.dock_code, kind="dock")
        return m


def manifest(manifest_id: str, lock: str | None = None) -> ManifestRow | None:
    sql = _MANIFEST
    if lock is not None and is_postgres():
        sql += " FOR SHARE OF m" if lock == "share" else " FOR UPDATE OF m"
    row = rawsql.execute(sql, [manifest_id]).fetchone()
    return None if row is None else ManifestRow(*row)


def manifest_or_404(manifest_id: str, lock: str | None = None) -> ManifestRow:
    found = manifest(manifest_id, lock)
    if found is None:
        raise NotFound(f"no manifest {manifest_id}")
    return found


_PACKAGE = (
    'SELECT p."id", p."order_id", p."status", p."flagged", p."carrier", p."service", '
    'o."external_id", o."status", '
    'EXISTS (SELECT 1 FROM "order_hold" h WHERE h."order_id" = o."id"), '
    'm."manifest_id", l."code" '
    'FROM "package" p JOIN "order" o ON o."id" = p."order_id" '
    'LEFT JOIN "manifest_package" mp ON mp."package_id" = p."id" '
    'LEFT JOIN "manifest" m ON m."id" = mp."manifest_id" '
    'LEFT JOIN "location" l ON l."id" = m."dock_id" '
    'WHERE p."sscc" = ?'
)


def package_facts(sscc: str, lock: bool = False) -> tuple[PackageFacts, Package] | None:
    """The scanned package's facts, and the package (id, order) to load; `lock`: its row
    FOR UPDATE first (PostgreSQL), so two dispatchers scanning it at once load it once. The
    facts are read after the lock, in a statement of their own: one that locks as it reads
    sees the other's manifest row from before it waited (READ COMMITTED re-reads only the
    locked row), and loaded the package twice (a unique violation) once floor inputs no
    longer shared a transaction on PostgreSQL."""
    if lock and is_postgres():
        rawsql.execute('SELECT 1 FROM "package" WHERE "sscc" = ? FOR UPDATE', [sscc])
    row = rawsql.execute(_PACKAGE, [sscc]).fetchone()
    if row is None:
        return None
    pid, order_id, status, flagged, carrier, service, external_id, order_status = row[:8]
    held, on, dock = bool(row[8]), row[9], row[10]
    facts = PackageFacts(sscc, status, external_id, order_status, held, flagged, carrier,
                         service, on, dock)  # fmt: skip
    return facts, Package(id=pid, order=order_id, sscc=sscc, status=status)


_COUNTS = (
    'SELECT (SELECT COUNT(*) FROM "manifest_package" WHERE "manifest_id" = ?), '
    '(SELECT COUNT(*) FROM "package" p JOIN "order" o ON o."id" = p."order_id" '
    'WHERE p."status" = \'packed\' AND p."flagged" IS NULL AND p."carrier" = ? {service}'
    "AND o.\"status\" <> 'cancelled' "
    'AND NOT EXISTS (SELECT 1 FROM "manifest_package" mp WHERE mp."package_id" = p."id"))'
)


def counts(m: Manifest) -> tuple[int, int]:
    """(packages loaded on the manifest, packed packages waiting for its carrier)."""
    params: list[Any] = [m.id, m.carrier]
    service = ""
    if m.service != ANY_SERVICE:
        service, params = 'AND p."service" = ? ', [*params, m.service]
    loaded, waiting = rawsql.execute(_COUNTS.format(service=service), params).fetchone()
    return int(loaded), int(waiting)


_COME_OFF = (
    'SELECT p."sscc" FROM "manifest_package" mp JOIN "package" p ON p."id" = mp."package_id" '
    'JOIN "order" o ON o."id" = mp."order_id" WHERE mp."manifest_id" = ? AND '
    '(p."flagged" IS NOT NULL OR o."status" = \'cancelled\' OR EXISTS '
    '(SELECT 1 FROM "order_hold" h WHERE h."order_id" = o."id")) ORDER BY mp."id"'
)


def must_come_off(m: Manifest) -> list[str]:
    return [sscc for (sscc,) in rawsql.execute(_COME_OFF, [m.id]).fetchall()]


_PROGRESS = (
    'SELECT COUNT(*), COALESCE(SUM(CASE WHEN mp."manifest_id" = ? THEN 1 ELSE 0 END), 0) '
    'FROM "package" p LEFT JOIN "manifest_package" mp ON mp."package_id" = p."id" '
    "WHERE p.\"order_id\" = ? AND p.\"status\" NOT IN ('voided', 'dispatched') "
    'AND p."carrier" = ? {service}'
)


def order_progress(m: Manifest, order_id: int) -> tuple[int, int]:
    """(the order's packages on this manifest, those not yet dispatched it would take)."""
    params: list[Any] = [m.id, order_id, m.carrier]
    service = ""
    if m.service != ANY_SERVICE:
        service, params = 'AND p."service" = ?', [*params, m.service]
    total, here = rawsql.execute(_PROGRESS.format(service=service), params).fetchone()
    return int(here), int(total)


_LOADED = 'SELECT COUNT(*) FROM "manifest_package" WHERE "manifest_id" = ?'


def loaded_count(m: Manifest) -> int:
    return int(rawsql.execute(_LOADED, [m.id]).fetchone()[0])
