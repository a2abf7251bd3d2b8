"""Returns on the floor: the units received and graded, the grading trees; the RMA learns
whether it was opened on the floor and how it closed; products get a category (the
grading tree that applies to them)."""

import peewee
from playhouse.migrate import SchemaMigrator, migrate

from server.models.catalog import Product
from server.models.returns import RETURNS_MODELS, Rma

# Added to tables that shipped before (m0001). A database created from today's models by
# m0001 already has them, so each is added only where it is missing.
COLUMNS = [
    (Rma, "unannounced", peewee.BooleanField(default=False)),
    (Rma, "closed_at", peewee.DateTimeField(null=True)),
    (Rma, "closed_by", peewee.CharField(max_length=128, null=True)),
    (Rma, "missing", peewee.TextField(null=True)),
    (Product, "category", peewee.CharField(max_length=64, default="")),
]


def upgrade(db: peewee.Database) -> None:
    migrator = SchemaMigrator.from_database(db)
    operations = []
    for model, name, column in COLUMNS:
        table = model._meta.table_name
        if name not in {c.name for c in db.get_columns(table)}:
            operations.append(migrator.add_column(table, name, column))
    migrate(*operations)
    db.create_tables(RETURNS_MODELS)
