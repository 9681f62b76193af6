"""Where conversations and enquiries are kept: SQLite by default, PostgreSQL by URL.

``database``, ``enquiry_store`` and ``conversations`` need only SQLAlchemy;
``tracker_store`` and ``lock_store`` are the Rasa-facing classes named in
``endpoints.yml`` and are imported by Rasa only.
"""

from bot.storage.database import DATABASE_URL_ENV, REDIS_URL_ENV, StorageUnavailable, database_url, make_engine

__all__ = ["DATABASE_URL_ENV", "REDIS_URL_ENV", "StorageUnavailable", "database_url", "make_engine"]
