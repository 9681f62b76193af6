"""Alembic's environment: migrations run on the connection :mod:`bot.storage.schema` hands over.

That connection is already inside a transaction that holds the migration lock
(an advisory lock on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite), so two
processes never migrate at once and a failed step leaves nothing half done.
"""

from __future__ import annotations

from alembic import context

from bot.storage.schema import VERSION_TABLE

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `python -m bot.storage migrate`, not the alembic command")
context.configure(connection=connection, version_table=VERSION_TABLE, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
