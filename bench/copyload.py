"""Bulk loading with PostgreSQL COPY, one open COPY stream per table.

* :class:`CopyTable` builds its column list from ``Model._meta.concrete_fields``; a row is a dict keyed by
  ``field.attname`` and every column left out gets the field's default (callable defaults such as ``uuid4`` or
  ``timezone.now`` must be given, so that the data stays deterministic).
* :class:`Loader` keeps one connection per table, so rows of many tables can be written interleaved while the
  generator walks case by case. Each stream is its own transaction; that is why foreign keys (and the other
  secondary indexes, for speed) are dropped before loading and rebuilt afterwards by :class:`DeferredSchema`.
* Tables are truncated in the same transaction as their COPY, so ``COPY ... FREEZE`` writes frozen, all-visible
  rows and the final VACUUM has nothing to rewrite.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Any

import psycopg
from django.db import models
from psycopg import sql

MISSING = object()  # marks a column that every row must supply
CHECKED_ROWS = 1000  # rows per table checked for missing columns (the generator writes uniform rows)


def _column_default(field: models.Field[Any, Any]) -> Any:
    """The value written when a row does not mention the field."""
    if isinstance(field, models.JSONField):
        default = field.get_default() if field.has_default() else None
        return None if default is None else json.dumps(default)
    if field.has_default():
        if callable(field.default):
            return MISSING  # uuid4, now(), random keys: the generator decides
        return field.get_default()
    if field.primary_key or (not field.null and field.get_default() is None):
        return MISSING
    return field.get_default()


class CopyTable:
    """One model's COPY stream. ``write(row)`` takes a dict keyed by attname (``case_id``, not ``case``)."""

    def __init__(self, conn: psycopg.Connection[Any], model: type[models.Model]) -> None:
        self.model = model
        self.table = model._meta.db_table
        fields = list(model._meta.concrete_fields)
        self.keys = [f.attname for f in fields]
        self.defaults = [_column_default(f) for f in fields]
        self.json_keys = [f.attname for f in fields if isinstance(f, models.JSONField)]
        self.rows = 0
        self.conn = conn
        cur = conn.cursor()
        cur.execute(sql.SQL("TRUNCATE {}").format(sql.Identifier(self.table)))
        statement = sql.SQL("COPY {} ({}) FROM STDIN WITH (FREEZE)").format(
            sql.Identifier(self.table), sql.SQL(", ").join([sql.Identifier(str(f.column)) for f in fields])
        )
        # The context manager holds the connection's lock until it exits: close() exits it, then commits.
        self._context: AbstractContextManager[psycopg.Copy] = cur.copy(statement)
        self.copy = self._context.__enter__()
        self._write_row: Callable[[Sequence[Any]], None] = self.copy.write_row

    def write(self, row: dict[str, Any]) -> None:
        for key in self.json_keys:
            value = row.get(key)
            if value is not None and not isinstance(value, str):
                row[key] = json.dumps(value)
        values = [row.get(k, d) for k, d in zip(self.keys, self.defaults, strict=True)]
        if self.rows < CHECKED_ROWS:
            self._check(row, values)
        self._write_row(values)
        self.rows += 1

    def write_raw(self, text: str, rows: int) -> None:
        """Write ready-made COPY text lines (the caller escapes; used for the audit log's millions of rows)."""
        self.copy.write(text)
        self.rows += rows

    def close(self) -> None:
        """End the COPY and commit."""
        self._context.__exit__(None, None, None)
        self.conn.commit()
        self.conn.close()

    def _check(self, row: dict[str, Any], values: list[Any]) -> None:
        unknown = set(row) - set(self.keys)
        missing = [k for k, v in zip(self.keys, values, strict=True) if v is MISSING]
        if unknown or missing:
            raise ValueError(f"{self.table}: unknown columns {sorted(unknown)}, missing columns {missing}")


class Loader:
    """Opens a connection and a COPY stream per model on first use; ``finish()`` commits them all."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.tables: dict[type[models.Model], CopyTable] = {}

    def __call__(self, model: type[models.Model]) -> CopyTable:
        table = self.tables.get(model)
        if table is None:
            conn = psycopg.connect(self.url)
            conn.execute("SET synchronous_commit = off")
            table = self.tables[model] = CopyTable(conn, model)
        return table

    def finish(self) -> dict[str, float]:
        """End every COPY and commit; returns the seconds each table needed to flush and commit."""
        flush: dict[str, float] = {}
        for table in self.tables.values():
            start = time.perf_counter()
            table.close()
            flush[table.table] = time.perf_counter() - start
        return flush

    def counts(self) -> dict[str, int]:
        return {t.table: t.rows for t in self.tables.values()}


class DeferredSchema:
    """Drops foreign keys, unique constraints and secondary indexes of the public schema, and rebuilds them.

    Primary keys stay. The rebuild recreates everything exactly as ``migrate`` made it (same names and
    definitions, read from the catalogue), so the result is indistinguishable from a normally loaded database,
    and building each index once from sorted data is much faster than maintaining it row by row.
    """

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn
        self.foreign_keys: list[tuple[str, str, str]] = []  # (table, name, definition)
        self.uniques: list[tuple[str, str, str]] = []
        self.indexes: list[tuple[str, str, str]] = []  # (table, name, CREATE INDEX ...)

    def drop(self) -> None:
        constraints = self.conn.execute(
            """
            SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), contype
            FROM pg_constraint
            WHERE connamespace = 'public'::regnamespace AND contype IN ('f', 'u')
            ORDER BY conrelid::regclass::text, conname
            """
        ).fetchall()
        indexes = self.conn.execute(
            """
            SELECT t.relname, i.relname, pg_get_indexdef(x.indexrelid)
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            WHERE t.relnamespace = 'public'::regnamespace
              AND NOT EXISTS (
                SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid AND c.contype IN ('p', 'u', 'x')
              )
            ORDER BY t.relname, i.relname
            """
        ).fetchall()
        for table, name, definition, kind in constraints:
            (self.foreign_keys if kind == "f" else self.uniques).append((table, name, definition))
        self.indexes = [(t, n, d) for t, n, d in indexes]
        with self.conn.transaction():
            for table, name, _definition in self.foreign_keys + self.uniques:
                self.conn.execute(
                    sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(sql.SQL(table), sql.Identifier(name))
                )
            for _table, name, _definition in self.indexes:
                self.conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))

    def rebuild(self, url: str, log: Callable[[str], None], jobs: int = 2) -> dict[str, float]:
        """Recreate indexes (``jobs`` at a time, largest tables first), then unique constraints and foreign keys
        (validated) one by one. Returns seconds per table.

        CREATE INDEX takes a SHARE lock on one table only, so parallel builds cannot deadlock; ALTER TABLE takes
        stronger locks on two tables, so those run sequentially."""
        per_table: dict[str, float] = {}
        sizes = dict(
            self.conn.execute(
                "SELECT relname, pg_total_relation_size(oid) FROM pg_class WHERE relnamespace = 'public'::regnamespace"
            ).fetchall()
        )
        work: queue.Queue[tuple[str, sql.SQL | sql.Composed]] = queue.Queue()
        for table, _name, definition in sorted(self.indexes, key=lambda i: -sizes.get(i[0], 0)):
            work.put((table, sql.SQL(definition)))
        lock = threading.Lock()
        errors: list[psycopg.Error] = []

        def run(conn: psycopg.Connection[Any], table: str, statement: sql.SQL | sql.Composed) -> None:
            start = time.perf_counter()
            conn.execute(statement)
            elapsed = time.perf_counter() - start
            with lock:
                per_table[table] = per_table.get(table, 0.0) + elapsed
                if elapsed > 5:
                    log(f"    {elapsed:6.1f}s  {statement.as_string(conn)[:110]}")

        def worker() -> None:
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute("SET maintenance_work_mem = '1GB'")
                conn.execute("SET max_parallel_maintenance_workers = 0")
                while not errors:
                    try:
                        table, statement = work.get_nowait()
                    except queue.Empty:
                        return
                    try:
                        run(conn, table, statement)
                    except psycopg.Error as exc:
                        errors.append(exc)

        threads = [threading.Thread(target=worker) for _ in range(max(1, jobs))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise errors[0]
        self.conn.execute("SET maintenance_work_mem = '1GB'")
        for table, name, definition in self.uniques + self.foreign_keys:
            statement = sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(
                sql.SQL(table),
                sql.Identifier(name),
                sql.SQL(definition),
            )
            run(self.conn, table, statement)
        return per_table


def reset_sequences(conn: psycopg.Connection[Any]) -> None:
    """Point every identity/serial sequence of the public schema past the highest id loaded."""
    columns = conn.execute(
        """
        SELECT table_name, column_name FROM information_schema.columns
        WHERE table_schema = 'public' AND (is_identity = 'YES' OR column_default LIKE 'nextval%')
        """
    ).fetchall()
    with conn.transaction():
        for table, column in columns:
            conn.execute(
                sql.SQL(
                    "SELECT setval(pg_get_serial_sequence(%s, %s), coalesce(max({col}), 0) + 1, false) FROM {tbl}"
                ).format(col=sql.Identifier(column), tbl=sql.Identifier(table)),
                (table, column),
            )
