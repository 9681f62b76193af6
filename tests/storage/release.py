"""Databases as today's release (main ebce89d) left them, loaded from the frozen dumps in fixtures/."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path
from typing import Dict, List, Tuple

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.storage.schema import OWN_TABLES, VERSION_TABLE

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SQLITE_DUMP = FIXTURES / "release_ebce89d.sqlite.sql"
POSTGRES_DUMP = FIXTURES / "release_ebce89d.postgres.sql"
# What the release's database holds (tests/storage/fixtures/make_release_fixture.py wrote it).
ENQUIRY_NAMES = ["Ada Lovelace", "Grace Hopper", "Émile Zola"]
DATA_TABLES = (*OWN_TABLES, "events")


def load_sqlite(path: Path) -> str:
    with sqlite3.connect(path) as connection:
        connection.executescript(SQLITE_DUMP.read_text(encoding="utf-8"))
    return f"sqlite:///{path}"


def load_postgres(url: str) -> str:
    subprocess.run(
        ["psql", "-v", "ON_ERROR_STOP=1", "-q", "-X", "-d", url, "-f", str(POSTGRES_DUMP)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return url


def rows(engine: Engine) -> Dict[str, List[Tuple[object, ...]]]:
    """Every row of every table the release wrote, in primary-key order."""
    found = {}
    metadata = sa.MetaData()
    metadata.reflect(engine, only=[t for t in DATA_TABLES if sa.inspect(engine).has_table(t)])
    with engine.connect() as connection:
        for name, table in metadata.tables.items():
            found[name] = [tuple(row) for row in connection.execute(sa.select(table).order_by(*table.primary_key))]
    return found


def schema_of(engine: Engine) -> Dict[str, object]:
    """The project's tables as the database describes them: columns, keys, indexes, unique constraints."""
    inspector = sa.inspect(engine)
    described: Dict[str, object] = {}
    for table in sorted(set(inspector.get_table_names()) - {"events", VERSION_TABLE}):
        described[table] = {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"], c.get("autoincrement")) for c in inspector.get_columns(table)
            ],
            "primary_key": inspector.get_pk_constraint(table)["constrained_columns"],
            "indexes": sorted(
                (i["name"], tuple(str(c) for c in i["column_names"]), bool(i["unique"]))
                for i in inspector.get_indexes(table)
            ),
            "unique": sorted(tuple(u["column_names"]) for u in inspector.get_unique_constraints(table)),
        }
    return described


def index_names(engine: Engine, table: str) -> List[str]:
    """Index names from the catalog (SQLAlchemy 1.4 skips expression indexes such as lower(email))."""
    if engine.dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = :t AND sql IS NOT NULL"
    else:
        query = "SELECT indexname FROM pg_indexes WHERE tablename = :t AND schemaname = current_schema()"
    with engine.connect() as connection:
        return sorted(connection.execute(sa.text(query), {"t": table}).scalars())
