"""The version of the project's own tables, and moving it: Alembic migrations under one lock.

``python -m bot.storage migrate upgrade`` brings a database to this release's
schema (:func:`upgrade`); ``current`` and ``history`` say where it is and what
the steps are. Servers call :func:`ensure_schema` when they start:

- a database at this release's revision: nothing to do;
- a database with none of the project's tables (a new install, the two-command
  set-up): the tables are created at this release's revision, so ``make run``
  stays two commands;
- anything else (an older revision, tables written by a release from before
  migrations, or a revision this release does not know): :class:`SchemaBehind`,
  whose message names the command to run. Servers never upgrade a database
  that has data: that is a step an operator takes once, before the new release
  starts, so replicas never race to migrate.

Every migration (and the creation of an empty database) runs in one
transaction holding the migration lock: ``pg_advisory_xact_lock`` on
PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite. A second process waits for the
first and then finds the work done.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Awaitable, Callable, Iterator, List, Optional, Tuple

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

logger = logging.getLogger(__name__)

VERSION_TABLE = "pmo_schema_version"
MIGRATE_COMMAND = "python -m bot.storage migrate upgrade"
LOCK_KEY = 0x504D4F5F534348  # "PMO_SCH": one advisory lock for every migration of this project
# The tables the migrations own (a database with none of them is "empty").
OWN_TABLES: Tuple[str, ...] = (
    "enquiries",
    "enquiry_notifications",
    "insights_state",
    "insights_daily",
    "insights_mentions_daily",
    "insights_recommendations_daily",
    "insights_conversations_daily",
    "insights_conversation_days",
    "insights_unanswered",
    "insights_feedback",
)
_SCRIPTS = Path(__file__).resolve().parent / "migrations"


class SchemaBehind(RuntimeError):
    """The database's tables are not this release's: an operator must migrate it first."""


@dataclass(frozen=True)
class SchemaState:
    revision: Optional[str]  # what the database says (None: no version recorded)
    head: str  # what this release needs
    own_tables: Tuple[str, ...]  # which of the project's tables exist

    @property
    def empty(self) -> bool:
        return self.revision is None and not self.own_tables

    @property
    def current(self) -> bool:
        return self.revision == self.head

    def problem(self) -> Optional[str]:
        """Why a server must not start on this database, or None."""
        if self.current or self.empty:
            return None
        if self.revision is None:
            found = f"tables from a release before migrations ({', '.join(self.own_tables)})"
        elif self.revision in revisions():
            found = f"schema revision {self.revision}"
        else:
            return (
                f"the database is at schema revision {self.revision}, which this release does not know "
                f"(it needs {self.head}): it was migrated by a newer release; run that release, or "
                "restore a backup taken before the upgrade"
            )
        return f"the database has {found}, this release needs revision {self.head}: run `{MIGRATE_COMMAND}` once"


def _config(connection: Optional[Connection] = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_SCRIPTS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def head() -> str:
    found = _scripts().get_current_head()
    assert found is not None, "no migrations found"
    return found


def revisions() -> List[str]:
    """Every revision this release knows, oldest first."""
    return [script.revision for script in reversed(list(_scripts().walk_revisions()))]


def _state(connection: Connection) -> SchemaState:
    tables = set(sa.inspect(connection).get_table_names())
    revision = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE}).get_current_revision()
    return SchemaState(revision, head(), tuple(t for t in OWN_TABLES if t in tables))


def state(engine: Engine) -> SchemaState:
    with engine.connect() as connection:
        return _state(connection)


@contextmanager
def _locked(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction that holds the migration lock until it commits."""
    with engine.connect() as connection, connection.begin():
        if engine.dialect.name == "postgresql":
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
        elif engine.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN IMMEDIATE")  # the write lock, taken now
        yield connection


def ensure_schema(engine: Engine) -> SchemaState:
    """Check the schema before serving: create it on an empty database, refuse anything not current."""
    found = state(engine)
    if found.empty:
        with _locked(engine) as connection:
            found = _state(connection)  # another process may have created it meanwhile
            if found.empty:
                command.upgrade(_config(connection), "head")
                logger.info("Created the project's tables at schema revision %s", found.head)
        found = state(engine)
    problem = found.problem()
    if problem is not None:
        raise SchemaBehind(f"Refusing to start: {problem}.")
    return found


def refuse_to_start_if_behind(url: str) -> Callable[[object, object], Awaitable[None]]:
    """A Sanic ``before_server_start`` listener: the action server checks the database at ``url``.

    A schema that is behind stops the server (:class:`SchemaBehind`). A database that
    cannot be reached for 30 s does not: the action server still answers everything but
    enquiries, and the enquiry store checks the schema again before its first write.
    """
    import asyncio

    from bot.storage.database import StorageUnavailable, make_engine, with_retries

    def check() -> None:
        engine = make_engine(url)
        try:
            with_retries(lambda: ensure_schema(engine), what="database")
        except StorageUnavailable:
            logger.warning("Schema not checked at start: the database is unreachable; checked again on first use")
        finally:
            engine.dispose()

    async def listener(app: object, loop: object) -> None:
        await asyncio.get_running_loop().run_in_executor(None, check)

    return listener


def upgrade(engine: Engine, target: str = "head") -> Tuple[Optional[str], Optional[str]]:
    """Migrate to ``target`` under the lock; returns the revisions before and after."""
    with _locked(engine) as connection:
        before = _state(connection).revision
        command.upgrade(_config(connection), target)
    return before, state(engine).revision


def downgrade(engine: Engine, target: str) -> Tuple[Optional[str], Optional[str]]:
    """Step back to ``target`` (``-1``: the last step) under the lock; returns the revisions before and after."""
    with _locked(engine) as connection:
        before = _state(connection).revision
        command.downgrade(_config(connection), target)
    return before, state(engine).revision


def history() -> List[str]:
    """One line per step, oldest first: ``0001 baseline: ...``."""
    lines = []
    for script in reversed(list(_scripts().walk_revisions())):
        summary = (script.doc or "").strip().splitlines()[0] if script.doc else ""
        lines.append(f"{script.revision}  {summary}")
    return lines
