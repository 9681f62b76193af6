"""A backup restores: pg_dump of a live database, pg_restore into a new one, a server on it carries on.

The README's operations section says what to back up (the PostgreSQL database;
Redis holds only locks and rate-limit counters) and how; this test does exactly
that. While a Rasa server and the action server are serving database A (one
visitor waiting on the "what do you do now?" question, another with a stored
enquiry), ``pg_dump --format=custom`` takes A; A is then dropped, the dump is
restored with ``pg_restore`` into a new database B, fresh servers start on B
(so the restored schema passed their start-up check) and the first visitor's
conversation carries on from its open question, while the privacy tool reads
the enquiry stored before the dump from B.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Iterator, Tuple

import pytest

from harness import servers, services
from harness.servers import ROOT, base_env
from harness.stack import TRACKER_STORE, say

pytestmark = pytest.mark.slow

ENQUIRY = [
    "I work as a PMO analyst, which course should I do?",
    "I want to book",
    "my name is Rhoda Restore",
    "rhoda.restore@acme-pmo.co.uk",
    "I work for Backup Testing Ltd",
    "about 4 people",
    "yes please",
]


def start(workdir: Path, url: str) -> Tuple[servers.Server, servers.Server]:
    """The action server and a Rasa server (python -m bot.serving run) on the database at ``url``."""
    env = {"PMO_DATABASE_URL": url}
    actions = servers.action_server(workdir, env=env)
    endpoints = servers.write_endpoints(
        workdir, actions.port, TRACKER_STORE.format(db="unused.db"), name=f"endpoints-{uuid.uuid4().hex[:6]}.yml"
    )
    rasa = servers.rasa_server(workdir, endpoints, env=env)
    actions.start()
    try:
        rasa.start(timeout=300)
    except BaseException:
        actions.stop()
        raise
    return actions, rasa


@pytest.fixture
def workdir(tmp_path) -> Iterator[Path]:
    if not servers.MODEL.exists():
        pytest.fail(f"no trained model at {servers.MODEL}: run `make train`")
    services.require_postgres()
    yield tmp_path


def test_a_pg_dump_restored_into_a_new_database_carries_on(workdir):
    waiting, enquirer = "restore-" + uuid.uuid4().hex, "restore-" + uuid.uuid4().hex
    dump = workdir / "pmo.dump"
    with services.fresh_database("pmo_backup_a") as url_a:
        actions, rasa = start(workdir, url_a)
        try:
            question = say(rasa, waiting, "which course is right for me?")
            assert "closest to what you do now" in question.text, question.text
            for text in ENQUIRY:
                turn = say(rasa, enquirer, text)
                assert turn.status == 200 and turn.texts, (text, turn)
            reference = re.search(r"reference (ENQ-[0-9A-F]{8})", turn.text)
            assert reference, turn.text
            # The backup, as the README says, taken while the servers are up.
            subprocess.run(
                ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(dump), url_a],
                check=True,
                capture_output=True,
                timeout=120,
            )
        finally:
            rasa.stop()
            actions.stop()
    # Database A is gone: whatever the new servers know came from the dump.
    with services.fresh_database("pmo_backup_b") as url_b:
        subprocess.run(
            ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--dbname", url_b, str(dump)],
            check=True,
            capture_output=True,
            timeout=120,
        )
        actions, rasa = start(workdir, url_b)
        try:
            answer = say(rasa, waiting, "I'm a project co-ordinator")
            assert "I'd recommend Essentials for PMO Analysts" in answer.text, answer.text
            assert "Essentials for PMO Analysts" in say(rasa, waiting, "how long is the course?").text
            exported = subprocess.run(
                [sys.executable, "-m", "bot.privacy", "export", "--format", "json"],
                cwd=ROOT,
                env=base_env(PMO_DATABASE_URL=url_b),
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert exported.returncode == 0, exported.stderr
            [stored] = [row for row in json.loads(exported.stdout) if row["conversation_id"] == enquirer]
            assert (stored["reference"], stored["name"], stored["email"], stored["team_size"]) == (
                reference.group(1),
                "Rhoda Restore",
                "rhoda.restore@acme-pmo.co.uk",
                4,
            )
        finally:
            rasa.stop()
            actions.stop()
