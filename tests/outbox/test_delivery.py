"""Delivery through a real SMTP server process and a webhook stub: content, outages, refusals, races, crashes."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Dict, List

import pytest
import sqlalchemy as sa

from bot.enquiries import Enquiry
from bot.outbox import Background, Outbox, save_and_notify, worker_for
from bot.outbox.__main__ import main as outbox_cli
from bot.outbox.content import Gist
from bot.outbox.model import notifications
from bot.settings import load
from bot.storage.database import make_engine
from bot.storage.enquiry_store import EnquiryStore
from harness import services
from harness.servers import ROOT
from tests.outbox.conftest import SmtpSink, WebhookStub, outbox_env

pytestmark = pytest.mark.slow  # starts an SMTP server process (and PostgreSQL for the race)

GIST = Gist(
    asked=("which course suits a PMO analyst?", "can you train our team in-house?"),
    recommended="Essentials for PMO Analysts (level 2, PMO Analyst)",
)


def enquiry(n: int = 1, name: str = "Jane Smith", organisation: str = "Acme Consulting") -> Enquiry:
    return Enquiry(
        conversation_id=f"conv-{n}",
        name=name,
        email=f"jane{n}@acme.co.uk",
        organisation=organisation,
        interest="In-house training for a team; P3O Foundation",
        team_size=12,
    )


def queue_enquiries(url: str, env: Dict[str, str], count: int = 1) -> List[str]:
    store = EnquiryStore(make_engine(url), retry_seconds=2)
    settings = load(env).notifications
    return [save_and_notify(store, enquiry(n), GIST, settings).reference for n in range(1, count + 1)]


def message_ids(sink: SmtpSink) -> List[str]:
    return [str(m["Message-ID"]) for m in sink.messages()]


def rows(url: str) -> List[Dict[str, object]]:
    return Outbox(make_engine(url)).rows()


def worker_process(url: str, env: Dict[str, str], *args: str) -> "subprocess.Popen[bytes]":
    full = {**os.environ, **env, "PMO_DATABASE_URL": url}
    return subprocess.Popen(
        [sys.executable, "-m", "bot.outbox", "run", *args],
        cwd=ROOT,
        env=full,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_the_team_gets_the_enquiry_by_email_and_webhook(tmp_path: Path, smtp: SmtpSink, webhook: WebhookStub):
    smtp.start()
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    env = outbox_env(smtp, webhook.url)
    [reference] = queue_enquiries(url, env)
    worker = worker_for(load(env), database=url)
    assert worker is not None and worker.run_once() == 2

    [mail] = smtp.wait_for(1)
    assert mail["Subject"] == f"PMO enquiry {reference}: Acme Consulting (Jane Smith)"
    assert mail["Reply-To"] == "Jane Smith <jane1@acme.co.uk>"
    assert mail["From"] == "PMO Learning Assistant <assistant@pmo-learning.co.uk>"
    assert smtp.recipients() == [["team@pmo-learning.co.uk", "sales@pmo-learning.co.uk"]]
    text = mail.get_content()
    for expected in (
        "Name:          Jane Smith",
        "Email:         jane1@acme.co.uk",
        "Organisation:  Acme Consulting",
        "Team size:     12",
        "About:         In-house training for a team; P3O Foundation",
        "- which course suits a PMO analyst?",
        "- can you train our team in-house?",
        "Recommended:   Essentials for PMO Analysts (level 2, PMO Analyst)",
        "conv-1",
    ):
        assert expected in text
    [post] = webhook.posts
    assert post["text"].startswith(f"*New enquiry {reference}* from Jane Smith (Acme Consulting), team size 12")
    assert "jane1@acme.co.uk" not in post["text"]  # the address stays in the mailbox
    assert {(r["channel"], r["status"], r["attempts"]) for r in rows(url)} == {
        ("email", "sent", 1),
        ("webhook", "sent", 1),
    }
    assert worker.run_once() == 0  # nothing sent twice


def test_nothing_is_queued_while_notifications_are_off(tmp_path: Path, smtp: SmtpSink):
    smtp.start()
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    queue_enquiries(url, {}, count=2)
    assert worker_for(load({}), database=url) is None
    worker = worker_for(load(outbox_env(smtp)), database=url)  # turned on later: no backlog is mailed
    assert worker is not None and worker.run_once() == 0 and smtp.messages() == []
    assert len(EnquiryStore(make_engine(url)).all()) == 2


def test_header_tricks_in_the_details_add_no_header_and_no_recipient(tmp_path: Path, smtp: SmtpSink):
    smtp.start()
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    env = outbox_env(smtp)
    store = EnquiryStore(make_engine(url))
    # Stored rows are what the form checked; here they are forged straight into the store.
    forged = enquiry(name="Jane\r\nBcc: thief@evil.example", organisation="Acme\nTo: thief@evil.example\r\n\r\nbody")
    save_and_notify(store, forged, Gist(asked=("hi\r\nCc: thief@evil.example",)), load(env).notifications)
    worker = worker_for(load(env), database=url)
    assert worker is not None and worker.run_once() == 1
    [mail] = smtp.wait_for(1)
    assert smtp.recipients() == [["team@pmo-learning.co.uk", "sales@pmo-learning.co.uk"]]
    assert mail["Bcc"] is None and mail["Cc"] is None
    assert mail.get_all("To") == ["team@pmo-learning.co.uk, sales@pmo-learning.co.uk"]
    assert [a.addr_spec for a in mail["Reply-To"].addresses] == ["jane1@acme.co.uk"]  # the name stays text
    assert set(mail.keys()) == {
        "Subject",
        "From",
        "To",
        "Reply-To",
        "Message-ID",
        "Date",
        "X-PMO-Enquiry",
        "Content-Type",
        "Content-Transfer-Encoding",
        "MIME-Version",
    }
    assert "Jane Bcc: thief@evil.example" in str(mail["Subject"])  # flattened onto one line


def test_smtp_down_for_a_while_then_back_delivers_exactly_one_mail(tmp_path: Path, smtp: SmtpSink):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    env = outbox_env(smtp)
    queue_enquiries(url, env)
    worker = worker_for(load(env), database=url)
    assert worker is not None
    background = Background(worker, poll_seconds=0.1).start()
    try:
        time.sleep(2.0)  # nothing listens on the port: refused, retried with backoff (0.2, 0.4, 0.8 s...)
        [row] = rows(url)
        assert row["status"] == "pending" and int(row["attempts"]) >= 2 and "SMTP" in str(row["last_error"])
        smtp.start()
        smtp.wait_for(1, timeout=10)
        time.sleep(1.0)  # time for a duplicate, if there were one
    finally:
        background.stop()
    assert len(smtp.messages()) == 1 and len(set(message_ids(smtp))) == 1
    [row] = rows(url)
    assert row["status"] == "sent" and row["last_error"] is None


def test_a_4xx_answer_is_retried_and_a_5xx_answer_is_recorded_as_refused(tmp_path: Path, smtp: SmtpSink):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    env = outbox_env(smtp)
    queue_enquiries(url, env)
    worker = worker_for(load(env), database=url)
    assert worker is not None
    smtp.start("--reply", "451")
    assert worker.run_once() == 1
    [row] = rows(url)
    assert row["status"] == "pending" and str(row["last_error"]).startswith("SMTP 451")
    smtp.stop()

    smtp.start("--reply", "550")
    time.sleep(0.3)  # the backoff after the first try
    assert worker.run_once() == 1
    [row] = rows(url)
    assert row["status"] == "failed" and str(row["last_error"]).startswith("SMTP 550")
    time.sleep(0.5)
    assert worker.run_once() == 0  # refused for good: not hammered
    smtp.stop()

    smtp.start()  # the operator fixed the relay, then re-queues
    out = io.StringIO()
    assert outbox_cli(["--database-url", url, "retry-failed"], stdout=out) == 0
    assert out.getvalue().strip() == "1 notifications queued again"
    assert worker.run_once() == 1
    assert len(smtp.wait_for(1)) == 1 and rows(url)[0]["status"] == "sent"


def drain(url: str, env: Dict[str, str]) -> None:
    worker = worker_for(load(env), database=url)
    assert worker is not None
    worker.batch = 2
    while worker.run_once():
        pass


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_two_workers_racing_send_each_notification_once(tmp_path: Path, smtp: SmtpSink, backend: str):
    smtp.start("--delay", "0.05")
    count = 8

    def race(url: str) -> None:
        env = outbox_env(smtp)
        queue_enquiries(url, env, count)
        if backend == "sqlite":  # two threads, each with its own engine (the lease column decides)
            threads = [threading.Thread(target=drain, args=(url, env)) for _ in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
        else:  # two `python -m bot.outbox run --once` processes (row locks decide)
            workers = [worker_process(url, env, "--once") for _ in range(2)]
            for process in workers:
                assert process.wait(60) == 0
        messages = smtp.wait_for(count)
        time.sleep(0.3)
        assert len(smtp.messages()) == count and len(set(message_ids(smtp))) == count
        table = rows(url)
        assert all(r["status"] == "sent" and r["attempts"] == 1 for r in table)
        assert len(messages) == count

    if backend == "sqlite":
        race(f"sqlite:///{tmp_path / 'db.sqlite'}")
    else:
        with services.fresh_database("pmo_outbox") as url:
            race(url)


def test_two_postgres_claims_at_the_same_moment_do_not_overlap():
    """Row locking: a second transaction skips the rows the first one holds (FOR UPDATE SKIP LOCKED)."""
    with services.fresh_database("pmo_outbox") as url:
        env = {
            "PMO_SMTP_URL": "smtp://127.0.0.1:1",
            "PMO_ENQUIRY_TO": "team@pmo-learning.co.uk",
            "PMO_ENQUIRY_FROM": "assistant@pmo-learning.co.uk",
        }
        queue_enquiries(url, env, 4)
        engine = make_engine(url)
        claims: Dict[str, List[int]] = {}
        start = threading.Barrier(4)

        def claim(name: str) -> None:
            start.wait()
            claims[name] = [n.id for n in Outbox(engine).claim(name, ["email"], limit=1)]

        threads = [threading.Thread(target=claim, args=(f"w{i}",)) for i in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        taken = [i for ids in claims.values() for i in ids]
        assert len(taken) == len(set(taken)) == 4
        with engine.connect() as connection:
            owners = connection.execute(sa.select(notifications.c.lease_owner)).scalars().all()
        assert sorted(owners) == ["w0", "w1", "w2", "w3"]
        engine.dispose()


def test_a_crash_between_send_and_record_resends_with_the_same_message_id(tmp_path: Path, smtp: SmtpSink):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    env = outbox_env(smtp)
    [reference] = queue_enquiries(url, env)
    smtp.start("--hold-first", "30")  # stores the first message, then keeps the sender waiting for its 250
    first = worker_process(url, env)
    try:
        smtp.wait_for(1)
        first.send_signal(signal.SIGKILL)  # sent, never recorded
        first.wait(10)
        [row] = rows(url)
        assert row["status"] == "pending" and row["lease_owner"] is not None
        second = worker_process(url, env)  # takes over once the dead worker's 2 s lease ends
        try:
            smtp.wait_for(2, timeout=20)
            deadline = time.monotonic() + 10
            while rows(url)[0]["status"] != "sent" and time.monotonic() < deadline:
                time.sleep(0.1)
        finally:
            second.terminate()
            second.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    mails = smtp.messages()
    assert len(mails) == 2  # SMTP is at-least-once ...
    assert len(set(message_ids(smtp))) == 1  # ... and the copy is the same message, for clients to fold
    assert all(reference in str(m["Subject"]) for m in mails)
    assert rows(url)[0]["status"] == "sent"
