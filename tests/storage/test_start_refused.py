"""Servers refuse to start on a database whose schema is behind, and say what to run.

A SQLite database written by release ebce89d (the `make run` set-up): the
action server and the Rasa server (``python -m bot.serving run``) both stop
with the migrate command in their log and leave the database as it was; after
``python -m bot.storage migrate upgrade`` both start and a visitor is answered.
"""

from __future__ import annotations

import subprocess
import sys
import uuid

import pytest

from bot.storage.database import make_engine
from harness import servers
from harness.servers import ROOT, base_env
from harness.stack import TRACKER_STORE, say
from tests.storage import release

pytestmark = pytest.mark.slow
COMMAND = "run `python -m bot.storage migrate upgrade` once"


def test_servers_refuse_a_release_database_until_it_is_migrated(tmp_path):
    if not servers.MODEL.exists():
        pytest.fail(f"no trained model at {servers.MODEL}: run `make train`")
    db_file = tmp_path / "conversations.db"
    url = release.load_sqlite(db_file)
    before = release.rows(make_engine(url))

    actions = servers.action_server(tmp_path, env={"PMO_DATABASE_URL": url})
    endpoints = servers.write_endpoints(tmp_path, actions.port, TRACKER_STORE.format(db=db_file))
    rasa = servers.rasa_server(tmp_path, endpoints)  # no PMO_DATABASE_URL: the `db` file, as in make run
    try:  # a server that starts when it should not is stopped too
        for server in (actions, rasa):
            with pytest.raises(RuntimeError, match="exited early") as refused:
                server.start(timeout=300)
            assert COMMAND in str(refused.value), str(refused.value)
            assert "this release needs revision 0002" in str(refused.value)
        assert release.rows(make_engine(url)) == before  # neither touched it

        migrated = subprocess.run(
            [sys.executable, "-m", "bot.storage", "migrate", "upgrade", "--db", str(db_file)],
            cwd=ROOT,
            env={k: v for k, v in base_env().items() if k != "PMO_DATABASE_URL"},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert migrated.returncode == 0, migrated.stderr
        actions.start()
        rasa.start(timeout=300)
        turn = say(rasa, "after-migrate-" + uuid.uuid4().hex, "what does a pmo analyst do?")
        assert turn.status == 200 and "PMO Analyst" in turn.text, turn
    finally:
        rasa.stop()
        actions.stop()
