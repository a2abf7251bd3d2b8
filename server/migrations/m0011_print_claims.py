"""Label print jobs are claimed before they are sent, so that with several server
processes each label is printed by one of them: the claim's time, for taking over a claim
whose process died mid-send."""

import peewee
from playhouse.migrate import SchemaMigrator, migrate

from server.models.packing import PrintJob


def upgrade(db: peewee.Database) -> None:
    # a database whose print_job was created from today's models (m0006) has it already
    table = PrintJob._meta.table_name
    if "claimed_at" not in {c.name for c in db.get_columns(table)}:
        migrator = SchemaMigrator.from_database(db)
        migrate(migrator.add_column(table, "claimed_at", peewee.DateTimeField(null=True)))
