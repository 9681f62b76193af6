"""The insights server, really started: a password or nothing, GET only, strict headers, hostile text as text,
emails and phones masked, enquiry details on the enquiries page only."""

from __future__ import annotations

import base64
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import pytest
import requests

from bot.enquiries import Enquiry
from bot.insights.web import password_matches
from bot.storage.database import make_engine
from bot.storage.enquiry_store import EnquiryStore
from harness.servers import ROOT, Server, base_env, free_port
from tests.insights import rasa_events
from tests.insights.rasa_events import Conversation

PASSWORD = "insights-test-password"
HOSTILE = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.mark.parametrize(
    "header, ok",
    [
        (basic("staff", PASSWORD), True),
        (basic("anyone", PASSWORD), True),
        (basic("staff", PASSWORD + "x"), False),
        (basic("staff", ""), False),
        (basic(PASSWORD, ""), False),
        (None, False),
        ("Basic !!!", False),
        ("Bearer " + PASSWORD, False),
    ],
)
def test_password_matches(header, ok):
    assert password_matches(header, PASSWORD) is ok


def insights_server(workdir: Path, db: Path, password: str = PASSWORD) -> Server:
    port = free_port()
    env = base_env(PMO_INSIGHTS_PASSWORD=password)
    env.pop("PMO_DATABASE_URL", None)
    return Server(
        name="insights",
        port=port,
        ready_path="/",
        log=workdir / f"insights-{port}.log",
        env=env,
        args=[
            sys.executable,
            "-m",
            "bot.insights",
            "--db",
            str(db),
            "--port",
            str(port),
            "--refresh-seconds",
            "0.2",
            "--lag-seconds",
            "0",
        ],
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[str]:
    workdir = tmp_path_factory.mktemp("insights")
    db = workdir / "conversations.db"
    engine = make_engine(f"sqlite:///{db}")
    rasa_events.create(engine)
    now = datetime.now(timezone.utc).timestamp()
    c = Conversation("visitor", now - 60)
    c.turn("what does a PMO manager do?", "ask_role_description", "action_describe_role", [("role", "PMO Manager")])
    for text in [*HOSTILE, "write to jo@example.com or call 07700 900123"]:
        c.turn(text, "out_of_scope", "action_out_of_scope")
    c.slot("answer_feedback", {"rating": "down", "answer": "<b>bold</b> answer"})
    rasa_events.insert(engine, c.rows)
    EnquiryStore(engine).save(
        Enquiry(
            conversation_id="visitor",
            name="Nora <i>Example</i>",
            email="nora@example.org",
            organisation="Acme",
            team_size=4,
            interest="PMO Analyst training",
        )
    )
    engine.dispose()
    server = insights_server(workdir, db)
    try:
        start(server)
        yield server.url
    finally:
        server.stop()


def start(server: Server, expect: str = "write to [email] or call [phone]", path: str = "/") -> None:
    """Start it and wait until ``path`` (with the password) shows ``expect``: counted by the background refresh."""
    server.log.parent.mkdir(parents=True, exist_ok=True)
    with open(server.log, "ab") as log:  # the child keeps its own copy of the handle
        server.process = subprocess.Popen(
            server.args, cwd=ROOT, env=server.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            page = requests.get(server.url + path, auth=("staff", PASSWORD), timeout=2)
            if page.ok and expect in page.text:
                return
        except requests.RequestException:
            pass
        assert server.process.poll() is None, server.tail()
        time.sleep(0.3)
    server.stop()
    pytest.fail(f"insights server did not show {expect!r} within 60 s:\n{server.tail()}")


@pytest.mark.slow
def test_no_page_without_the_password(site):
    for path in ["/", "/unanswered", "/feedback", "/enquiries", "/insights.css", "/nothing-here"]:
        for auth in [None, ("staff", "wrong-password"), ("staff", "")]:
            response = requests.get(site + path, auth=auth, timeout=10)
            assert response.status_code == 401, (path, auth)
            assert "Basic" in response.headers["WWW-Authenticate"]
            assert "visitor" not in response.text and "PMO Manager" not in response.text


@pytest.mark.slow
def test_every_page_read_only_with_strict_headers(site):
    for path in ["/", "/unanswered", "/feedback", "/enquiries?days=7", "/?days=365"]:
        response = requests.get(site + path, auth=("staff", PASSWORD), timeout=10)
        assert response.status_code == 200
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp and "script-src" not in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "<script" not in response.text.lower()
        for method in ("post", "put", "delete"):
            assert getattr(requests, method)(site + path, auth=("staff", PASSWORD), timeout=10).status_code == 405


@pytest.mark.slow
def test_hostile_text_escaped_and_personal_data_masked(site):
    page = requests.get(site + "/unanswered", auth=("staff", PASSWORD), timeout=10).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and "<img" not in page
    assert "write to [email] or call [phone]" in page
    assert "jo@example.com" not in page and "07700" not in page
    feedback = requests.get(site + "/feedback", auth=("staff", PASSWORD), timeout=10).text
    assert "&lt;b&gt;bold&lt;/b&gt; answer" in feedback


@pytest.mark.slow
def test_enquiry_details_on_the_enquiries_page_only(site):
    overview = requests.get(site + "/", auth=("staff", PASSWORD), timeout=10).text
    assert "nora@example.org" not in overview and "Nora" not in overview
    assert "PMO Manager" in overview  # the role asked about
    enquiries = requests.get(site + "/enquiries", auth=("staff", PASSWORD), timeout=10).text
    assert "nora@example.org" in enquiries and "Nora &lt;i&gt;Example&lt;/i&gt;" in enquiries


@pytest.mark.slow
@pytest.mark.parametrize("password", ["", "short"])
def test_refuses_to_start_without_a_real_password(tmp_path, password):
    env = base_env(PMO_INSIGHTS_PASSWORD=password)
    done = subprocess.run(
        [sys.executable, "-m", "bot.insights", "--db", str(tmp_path / "c.db"), "--port", str(free_port())],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "Refusing to start" in done.stderr
