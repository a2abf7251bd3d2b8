"""Hand-written SQL for hot paths, where peewee's query building costs more than the disk.

peewee spends ~65 µs building each statement (docs/performance.md, trap 5); an order of ten lines
ran a dozen of them. The hot path writes its few statements here instead, still through
the bound database (same connection, same transaction, same write tracking), and still
taking every column's default from the model so a later column with a default needs no
change here. Write placeholders as `?`; they become the driver's style.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any, TypeVar, cast

import peewee

from server.db import database

M = TypeVar("M", bound=peewee.Model)


@lru_cache(maxsize=256)
def _native(sql: str, param: str) -> str:
    return sql if param == "?" else sql.replace("?", param)


def execute(sql: str, params: Sequence[Any] = ()) -> Any:
    """Run `sql` (with `?` placeholders) on the bound database; return the cursor."""
    return database.execute_sql(_native(sql, database.obj.param), params)


def table(model: type[peewee.Model]) -> str:
    """The model's table name, quoted for a hand-written statement."""
    return f'"{model._meta.table_name}"'


def placeholders(count: int) -> str:
    return ", ".join("?" * count)


def _columns(model: type[peewee.Model]) -> list[peewee.Field]:
    return [f for f in model._meta.sorted_fields if not isinstance(f, peewee.AutoField)]


def _default(field: peewee.Field) -> Any:
    return field.default() if callable(field.default) else field.default


def insert_rows(
    model: type[peewee.Model], rows: Iterable[dict[str, Any]], returning: Sequence[str] = ()
) -> list[tuple[Any, ...]]:
    """INSERT every row in one statement (missing fields take the model's default)."""
    fields = _columns(model)
    values: list[Any] = []
    count = 0
    for row in rows:
        count += 1
        for f in fields:
            values.append(f.db_value(row[f.name] if f.name in row else _default(f)))
    if not count:
        return []
    cols = ", ".join(f'"{f.column_name}"' for f in fields)
    group = f"({placeholders(len(fields))})"
    sql = f'INSERT INTO "{model._meta.table_name}" ({cols}) VALUES ' + ", ".join([group] * count)
    if returning:
        sql += " RETURNING " + ", ".join(f'"{name}"' for name in returning)
    cursor = execute(sql, values)
    return list(cursor.fetchall()) if returning else []


def build(model: type[M], values: Sequence[Any]) -> M:
    """A model instance from one row's values (`model._meta.sorted_fields` order), as a query
    would return it; without `Model(**kwargs)`'s per-field defaults and setattr (every hot
    read hydrates rows). Values the driver already returns as their Python value (text,
    integers, foreign keys) are taken as they are; only the others are converted."""
    names, convert = _readers(model)
    data = dict(zip(names, values, strict=True))
    for at, name, read in convert:
        value = values[at]
        if value is not None:
            data[name] = read(value)
    row = model.__new__(model)
    row.__data__ = data
    row._dirty = set()
    row.__rel__ = {}
    return row


# Fields whose column value is already the Python value with both drivers (sqlite3 and
# psycopg2 return str and int for them): no conversion on the way in.
_AS_RETURNED = (peewee.CharField, peewee.TextField, peewee.IntegerField, peewee.AutoField)


def _as_returned(field: peewee.Field) -> bool:
    if isinstance(field, peewee.ForeignKeyField):
        return _as_returned(field.rel_field)
    # exactly these classes: a subclass (e.g. a JSON text field) may convert its value
    return type(field) in _AS_RETURNED or type(field) is peewee.BigIntegerField


@lru_cache(maxsize=128)
def _readers(
    model: type[peewee.Model],
) -> tuple[tuple[str, ...], tuple[tuple[int, str, Any], ...]]:
    fields = model._meta.sorted_fields
    convert = tuple((at, f.name, reader(f)) for at, f in enumerate(fields) if not _as_returned(f))
    return tuple(f.name for f in fields), convert


def reader(field: peewee.Field) -> Any:
    """The function that turns this field's column value into its Python value (fast for
    SQLite timestamps), for statements that select single columns."""
    return _read_datetime(field) if isinstance(field, peewee.DateTimeField) else field.python_value


def _read_datetime(field: peewee.DateTimeField) -> Any:
    """SQLite returns timestamps as ISO text: `fromisoformat` reads them ~10x faster than
    peewee's strptime formats; anything else goes to peewee."""

    def read(value: Any) -> Any:
        if isinstance(value, str):
            try:
                parsed = datetime.fromisoformat(value)
            except ValueError:
                parsed = None
            if parsed is not None and parsed.tzinfo is None:
                return parsed
        return field.python_value(value)

    return read


def columns(alias: str, model: type[peewee.Model], unread: tuple[str, ...] = ()) -> str:
    """`alias."col", ...` of every field, in the order `build_joined` expects; the fields
    named in `unread` are selected as NULL (a large column a statement does not need, e.g.
    a JSON text it would only decode)."""
    return ", ".join(
        "NULL" if f.name in unread else f'{alias}."{f.column_name}"'
        for f in model._meta.sorted_fields
    )


def build_joined(models: Sequence[type[peewee.Model]], row: Sequence[Any]) -> list[Any]:
    """One instance per model from a joined row selected with `columns` of each, in order."""
    out, at = [], 0
    for model in models:
        width = len(model._meta.sorted_fields)
        out.append(build(model, row[at : at + width]))
        at += width
    return out


@lru_cache(maxsize=64)
def _select_sql(model: type[peewee.Model], where: str, lock: bool) -> str:
    cols = ", ".join(f'"{f.column_name}"' for f in model._meta.sorted_fields)
    sql = f'SELECT {cols} FROM "{model._meta.table_name}" WHERE {where} LIMIT 1'
    return sql + " FOR UPDATE" if lock else sql


def select_one(
    model: type[peewee.Model], where: str, params: Sequence[Any], lock: bool = False
) -> Any:
    """The first row matching `where` (hand-written, `?` placeholders) as a model instance,
    or None; `lock` adds FOR UPDATE (PostgreSQL only: SQLite already holds the write lock)."""
    sql = _select_sql(model, where, lock and database.obj.for_update)
    row = execute(sql, params).fetchone()
    return None if row is None else build(model, row)


def select_all(
    model: type[M], where: str, params: Sequence[Any], order_by: str = "", lock: bool = False
) -> list[M]:
    """Every row matching `where` (hand-written, `?` placeholders) as model instances, in
    `order_by` order; `lock` as in `select_one`."""
    cols = ", ".join(f'"{f.column_name}"' for f in model._meta.sorted_fields)
    sql = f'SELECT {cols} FROM "{model._meta.table_name}" WHERE {where}'
    if order_by:
        sql += f" ORDER BY {order_by}"
    if lock and database.obj.for_update:
        sql += " FOR UPDATE"
    return [build(model, row) for row in execute(sql, params).fetchall()]


def update_where(
    model: type[peewee.Model], values: dict[str, Any], where: str, params: Sequence[Any]
) -> int:
    """UPDATE the rows matching `where` (hand-written, `?` placeholders): `values` by field
    name, converted by the model; the number of rows updated."""
    meta = model._meta
    fields = [meta.fields[name] for name in values]
    sets = ", ".join(f'"{f.column_name}" = ?' for f in fields)
    converted = [f.db_value(values[f.name]) for f in fields]
    cursor = execute(f'UPDATE "{meta.table_name}" SET {sets} WHERE {where}', [*converted, *params])
    return int(cursor.rowcount)


def update_one(model: type[peewee.Model], key: Any, values: dict[str, Any]) -> None:
    """UPDATE the row with primary key `key`: `values` by field name, converted by the model."""
    meta = model._meta
    pk = cast(peewee.Field, meta.primary_key)
    fields = [meta.fields[name] for name in values]
    sets = ", ".join(f'"{f.column_name}" = ?' for f in fields)
    params = [f.db_value(values[f.name]) for f in fields] + [pk.db_value(key)]
    execute(f'UPDATE "{meta.table_name}" SET {sets} WHERE "{pk.column_name}" = ?', params)
