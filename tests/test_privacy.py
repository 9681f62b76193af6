"""python -m bot.privacy: export enquiries, erase everything about an email address."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import subprocess
import sys

import pytest

from bot.enquiries import Enquiry
from bot.storage.database import make_engine
from bot.storage.enquiry_store import EnquiryStore
from harness.servers import ROOT, base_env

pytestmark = pytest.mark.slow  # python -m bot.privacy in processes of its own


@pytest.fixture
def db(tmp_path, monkeypatch):
    """A SQLite database holding two conversations (through Rasa's own tracker store) and enquiries."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.storage.tracker_store import EnvSQLTrackerStore

    url = f"sqlite:///{tmp_path / 'conversations.db'}"
    monkeypatch.setenv("PMO_DATABASE_URL", url)
    domain = Domain.load(str(ROOT / "domain.yml"))
    trackers = EnvSQLTrackerStore(domain=domain)
    for sender, email in (("conv-jane", "Jane.Smith@acme.co.uk"), ("conv-tom", "tom@acme.co.uk")):
        tracker = DialogueStateTracker.from_events(
            sender,
            [
                ActionExecuted("action_listen"),
                UserUttered("can I talk to someone?"),
                ActionExecuted("action_listen"),
                UserUttered(f"it's {email}"),
                SlotSet("enquiry_email", email),
            ],
            slots=domain.slots,
        )
        asyncio.run(trackers.save(tracker))
    store = EnquiryStore(make_engine(url))
    store.save(Enquiry("conv-jane", "Jane Smith", "jane.smith@acme.co.uk", "Acme", "P3O", 12))
    store.save(Enquiry("conv-tom", '=HYPERLINK("http://evil")', "tom@acme.co.uk", "+Acme", "@MoP"))
    return {"url": url, "store": store, "trackers": trackers}


def cli(url, *args):
    result = subprocess.run(
        [sys.executable, "-m", "bot.privacy", "--database-url", url, *args],
        cwd=ROOT,
        env=base_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_export_csv_neutralises_spreadsheet_formulas(db):
    rows = list(csv.DictReader(io.StringIO(cli(db["url"], "export", "--format", "csv"))))
    assert [r["email"] for r in rows] == ["jane.smith@acme.co.uk", "tom@acme.co.uk"]
    assert rows[0]["team_size"] == "12" and rows[1]["team_size"] == ""
    assert rows[1]["name"] == '\'=HYPERLINK("http://evil")'
    assert (rows[1]["organisation"], rows[1]["interest"]) == ("'+Acme", "'@MoP")
    assert list(rows[0]) == [
        "reference",
        "conversation_id",
        "created_at",
        "name",
        "email",
        "organisation",
        "team_size",
        "interest",
    ]


def test_export_json_to_a_file(db, tmp_path):
    out = tmp_path / "enquiries.json"
    assert cli(db["url"], "export", "--format", "json", "--out", str(out)).strip() == f"2 enquiries written to {out}"
    rows = json.loads(out.read_text())
    assert rows[1]["name"] == '=HYPERLINK("http://evil")'  # JSON is data, kept as typed
    assert rows[0]["conversation_id"] == "conv-jane" and rows[0]["created_at"].endswith("+00:00")


def test_forget_erases_the_enquiry_and_the_whole_conversation(db):
    dry = cli(db["url"], "forget", "JANE.SMITH@acme.co.uk", "--dry-run")
    assert dry.strip() == "Would delete 1 enquiries and 1 conversations: conv-jane"
    assert len(db["store"].all()) == 2

    out = cli(db["url"], "forget", "JANE.SMITH@acme.co.uk")
    assert out.startswith("Deleted 1 enquiries and 1 conversations (") and out.strip().endswith(": conv-jane")
    assert [e.email for e in db["store"].all()] == ["tom@acme.co.uk"]
    assert asyncio.run(db["trackers"].retrieve("conv-jane")) is None
    assert asyncio.run(db["trackers"].retrieve("conv-tom")) is not None
    assert cli(db["url"], "forget", "jane.smith@acme.co.uk").strip() == (
        "Deleted 0 enquiries and 0 conversations (0 events)."
    )


def test_forget_needs_an_address(db):
    result = subprocess.run(
        [sys.executable, "-m", "bot.privacy", "--database-url", db["url"], "forget", "jane"],
        cwd=ROOT,
        env=base_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2 and "forget needs an email address" in result.stderr


def test_forget_also_erases_the_teams_notifications_of_the_enquiry(db):
    from bot.outbox import Outbox, save_and_notify
    from bot.outbox.content import Gist
    from bot.settings import notifications

    settings = notifications(
        {
            "PMO_SMTP_URL": "smtp://127.0.0.1:1",
            "PMO_ENQUIRY_TO": "team@pmo-learning.co.uk",
            "PMO_ENQUIRY_FROM": "assistant@pmo-learning.co.uk",
        }
    )
    for n, email in enumerate(("jane.smith@acme.co.uk", "tom@acme.co.uk")):
        save_and_notify(db["store"], Enquiry(f"conv-{n}", "A Name", email, "Acme", "P3O"), Gist(), settings)
    outbox = Outbox(db["store"].engine)
    assert len(outbox.rows()) == 2
    cli(db["url"], "forget", "jane.smith@acme.co.uk")
    assert [json.loads(str(r["content"]))["email"] for r in outbox.rows()] == ["tom@acme.co.uk"]


def old_conversation(trackers, sender: str, days_ago: float) -> None:
    import time

    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    at = time.time() - days_ago * 86400
    tracker = DialogueStateTracker.from_events(
        sender,
        [ActionExecuted("action_listen", timestamp=at), UserUttered("what does a pmo analyst do?", timestamp=at + 1)],
    )
    asyncio.run(trackers.save(tracker))


def test_purge_deletes_conversations_idle_past_the_retention_and_keeps_enquiries(db):
    old_conversation(db["trackers"], "conv-400-days", 400)
    old_conversation(db["trackers"], "conv-40-days", 40)
    assert cli(db["url"], "purge", "--dry-run").strip() == (
        "Would delete 1 conversations idle for more than 365 days; enquiries are kept."
    )
    out = cli(db["url"], "purge").strip()
    assert out.startswith("Deleted 1 conversations idle for more than 365 days (")
    assert out.endswith("enquiries are kept.")
    assert asyncio.run(db["trackers"].retrieve("conv-400-days")) is None
    assert asyncio.run(db["trackers"].retrieve("conv-40-days")) is not None
    assert asyncio.run(db["trackers"].retrieve("conv-jane")) is not None

    result = subprocess.run(
        [sys.executable, "-m", "bot.privacy", "--database-url", db["url"], "purge"],
        cwd=ROOT,
        env=base_env(PMO_RETENTION_DAYS="30"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.startswith("Deleted 1 conversations idle for more than 30 days")
    assert asyncio.run(db["trackers"].retrieve("conv-40-days")) is None
    assert asyncio.run(db["trackers"].retrieve("conv-jane")) is not None  # talked today
    assert len(db["store"].all()) == 2  # enquiries stay until their sender asks to be forgotten
