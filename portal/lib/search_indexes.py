"""Trigram indexes that serve `?q=` searches on PostgreSQL at national scale.

Thai has no spaces between words, so a search is a substring match; Django's `icontains`
becomes `UPPER(col::text) LIKE UPPER('%…%')` on PostgreSQL, which a GIN trigram index on that
same expression serves. SQLite has no such index and scans, which is correct at its scale.
pg_trgm sees Thai letters only in a database with a UTF-8 LC_CTYPE (see the README).
"""

from django.db import migrations


def trigram_indexes(*columns: tuple[str, str]) -> migrations.RunPython:
    """A migration operation that adds a trigram index per (table, column) on PostgreSQL."""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for table, column in columns:
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{table}_{column}_trgm" ON "{table}" '
                f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
            )

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for table, column in columns:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{table}_{column}_trgm"')

    return migrations.RunPython(forwards, backwards, elidable=False)
