"""The insights page in a real Chromium, after real conversations with a real Rasa server.

A scripted set of REST conversations (a role question, a recommendation, an
out-of-scope question with an email address, and two hostile messages) goes
through the embedded stack's action server and Rasa (``python -m
bot.serving``, shared with the other production tests) into its SQLite
tracker store; an answer is rated down the way the widget stores it, a
SlotSet ``answer_feedback`` event saved by Rasa's own SQLTrackerStore. Then
``python -m bot.insights`` reads that store:
without the password there is no page; with it the charts and the unanswered
list are there, the hostile texts show as text (no dialog, no injected
element), the email is masked and the Content-Security-Policy is sent.
"""

from __future__ import annotations

import os
import random
import string
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
import requests

from harness.browser import CHROMIUM, FLAGS
from harness.servers import ROOT, Server
from tests.insights.test_web import PASSWORD, insights_server, start

pytestmark = pytest.mark.slow

SCRIPT = "<script>alert(1)</script>"
IMAGE = "<img src=x onerror=alert(1)>"
# The embedded stack's database is shared with other tests: this run's own text (letters only: a run of
# seven digits would be masked as a phone number).
RUN = "".join(random.choices(string.ascii_lowercase, k=8))
OUT_OF_SCOPE = f"what's the weather in Paris? mail me at jo@example.com, ref {RUN}"
CONVERSATIONS = {
    "visitor-1": ["hi", "what does a PMO analyst do?", "which course is right for me?", "I'm brand new to PMO"],
    "visitor-2": [SCRIPT, IMAGE, OUT_OF_SCOPE],
    "visitor-3": ["what does a PMO manager do?", OUT_OF_SCOPE],
}
RATED_DOWN = "<b>An answer</b> that did not help"
CHARTS = [
    "Conversations and messages per day",
    "Most asked questions (by intent)",
    "Roles asked about",
    "Recommendations by level",
]


def say(rasa: Server, sender: str, text: str) -> List[Dict[str, Any]]:
    response = requests.post(rasa.url + "/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=120)
    response.raise_for_status()
    replies = response.json()
    assert replies and all(r.get("text") for r in replies), f"no answer to {text!r}: {replies}"
    assert not any("problem on my side" in r["text"] for r in replies), f"an apology, not an answer: {replies}"
    return replies


def rate_down(db: Path, sender: str, answer: str) -> None:
    """Store a thumbs-down as the widget does: a SlotSet event in the conversation, through Rasa's SQL store."""
    import asyncio

    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import SlotSet

    async def save() -> None:
        store = SQLTrackerStore(Domain.load(str(ROOT / "domain.yml")), dialect="sqlite", db=str(db))
        tracker = await store.retrieve(sender)
        assert tracker is not None
        tracker.update(SlotSet("answer_feedback", {"rating": "down", "answer": answer}))
        await store.save(tracker)
        store.engine.dispose()

    asyncio.run(save())


@pytest.fixture(scope="module")
def site(embedded) -> Iterator[str]:
    rasa = embedded.replicas[0]
    db = Path(embedded.database_url[len("sqlite:///") :])
    for sender, texts in CONVERSATIONS.items():
        for text in texts:
            say(rasa, f"{sender}-{RUN}", text)
    out_of_scope = say(rasa, f"visitor-4-{RUN}", OUT_OF_SCOPE)[0]["text"]
    assert "outside what I can help with" in out_of_scope
    rate_down(db, f"visitor-1-{RUN}", RATED_DOWN)
    insights = insights_server(embedded.workdir, db)
    try:
        start(insights, expect=f"mail me at [email], ref {RUN}", path="/unanswered?days=7")
        yield insights.url
    finally:
        insights.stop()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: `make browser` installs Debian's chromium package")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.mark.parametrize("credentials", [None, {"username": "staff", "password": "not-the-password"}])
def test_login_refused_without_the_password(site, browser, credentials):
    from playwright.sync_api import Error as PlaywrightError

    context = browser.new_context(http_credentials=credentials) if credentials else browser.new_context()
    try:
        page = context.new_page()
        try:
            response = page.goto(site + "/")
        except PlaywrightError as error:  # headless Chromium ends a refused Basic login with this error
            assert "ERR_INVALID_AUTH_CREDENTIALS" in str(error)
        else:
            assert response is not None and response.status == 401
        assert page.locator("svg").count() == 0
        assert "jo@example.com" not in page.content() and "[email]" not in page.content()
        refused = context.request.get(site + "/")  # the same browser context, as a plain request
        assert refused.status == 401 and "Password required" in refused.text()
        assert "[email]" not in refused.text() and "default-src 'none'" in refused.headers["content-security-policy"]
    finally:
        context.close()


def test_charts_unanswered_list_and_hostile_text_as_text(site, browser, tmp_path):
    context = browser.new_context(
        http_credentials={"username": "staff", "password": PASSWORD},
        viewport={"width": 1280, "height": 900},
        locale="en-GB",
    )
    dialogs: List[str] = []
    errors: List[str] = []
    try:
        page = context.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.on("pageerror", lambda error: errors.append(str(error)))
        response = page.goto(site + "/?days=7")
        assert response is not None and response.status == 200
        csp = response.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in csp
        assert response.headers["x-content-type-options"] == "nosniff"

        captions = page.locator("figcaption").all_inner_texts()
        for title in CHARTS:
            assert any(caption.startswith(title) for caption in captions), (title, captions)
        assert page.locator("figure.chart svg rect.bar").count() >= 6  # bars drawn, not "nothing yet"
        assert page.locator("svg[aria-label='Roles asked about'] text.label", has_text="PMO Analyst").count() == 1

        for path in ["/?days=7", "/unanswered?days=7"]:  # the overview shows the ten most frequent
            page.goto(site + path)
            cells = page.locator("table.unanswered td.text").all_inner_texts()
            assert f"what's the weather in Paris? mail me at [email], ref {RUN}" in cells, cells
            row = page.locator("table.unanswered tr", has_text=f"mail me at [email], ref {RUN}")
            assert row.locator("td.n").inner_text() == "3"  # asked in three conversations
            assert page.locator("main img, main script, body script").count() == 0  # nothing injected
            assert "jo@example.com" not in page.content()
        assert SCRIPT in cells and IMAGE in cells, cells  # on /unanswered, as text
        page.goto(site + "/feedback?days=7")
        assert RATED_DOWN in page.locator("table.rated td.text").all_inner_texts()
        assert page.locator("table.rated b").count() == 0

        page.goto(site + "/?days=7")
        page.wait_for_timeout(300)  # an injected handler would have fired by now
        assert dialogs == [] and errors == []
        screenshot = Path(os.environ.get("PMO_INSIGHTS_SCREENSHOT") or tmp_path / "insights.png")
        page.screenshot(path=str(screenshot), full_page=True)
        assert screenshot.stat().st_size > 10_000
    finally:
        context.close()
