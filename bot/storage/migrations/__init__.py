"""Alembic migrations of the project's own tables (enquiries, the outbox, the insights tables).

Run with ``python -m bot.storage migrate upgrade`` (:mod:`bot.storage.schema`),
never by the servers themselves except on an empty database. Rasa's own
``events`` table is Rasa's business and is not touched here.
"""
