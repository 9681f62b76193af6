"""The website widget in a real headless Chromium (Debian's, driven by
Playwright; no browser download): greeting, a question, a quick reply, a link,
lists and paragraphs drawn as such, and the conversation still there after a
reload. Every request stays local. What the bot should say is taken from the
REST channel of the same running stack, so the answers can change.

Just over 300 lines: the widget driven in Chromium, one page per test.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any, Dict, List, Tuple
from urllib.parse import urlsplit

import pytest

from bot.knowledge_base import default_knowledge_base
from bot.render import BARE_URL, BulletList, Paragraph, blocks, to_plain, to_widget_markdown
from harness.browser import CHROMIUM, FLAGS
from tests.channels.conftest import Stack

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
QUESTION = "what does a PMO analyst do?"
FOLLOW_UP = "what does a PMO manager do?"
# The ways to train: a list with a paragraph after it, and the website (for prices and dates) as a link.
PRICES = "what are the ways to train?"
# Follow-ups: a role, its "more" quick reply for duties, then another role by context alone.
ROLE_QUESTION = "what does a PMO planner do?"
DIRECTOR = "PMO Director"
AND_THE_DIRECTOR = "and the director?"
TIMEOUT_MS = 60_000
# How the widget's HTML should be structured: one entry per block of the text.
STRUCTURE_JS = """el => Array.from(el.children).map(c => c.tagName === 'UL'
    ? 'UL:' + c.querySelectorAll(':scope > li').length
    : c.tagName + ':' + c.querySelectorAll('br').length)"""


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: `make browser` installs Debian's chromium package")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def session_id(page) -> str:
    return page.evaluate("JSON.parse(window.localStorage.getItem('chat_session')).session_id")


def opening(text: str) -> str:
    """The first words of a reply as the widget shows them (before any link or bracket)."""
    first = blocks(text)[0]
    line = first.lines[0] if isinstance(first, Paragraph) else first.items[0]
    words = []
    for word in to_plain(line, width=10**6).split():
        if "(" in word or "http" in word or len(words) == 8:
            break
        words.append(word)
    assert words, f"no plain words at the start of {text!r}"
    return " ".join(words)


def structure(text: str) -> List[str]:
    return [f"UL:{len(b.items)}" if isinstance(b, BulletList) else f"P:{len(b.lines) - 1}" for b in blocks(text)]


def list_then_paragraph(text: str) -> bool:
    kinds = [type(b) for b in blocks(text)]
    return any(a is BulletList and b is Paragraph for a, b in itertools.pairwise(kinds))


def with_buttons(replies: List[Dict[str, Any]]) -> Dict[str, Any]:
    *_, last = replies
    assert last.get("buttons"), f"expected an answer with buttons, the REST channel said {replies}"
    return last


def open_page(browser: Any, width: int, height: int) -> Tuple[Any, Any, List[str]]:
    """A fresh browser context and page, with the page's console errors collected."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": width, "height": height}, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    page = context.new_page()
    errors: List[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return context, page, errors


def open_widget(page: Any, url: str) -> None:
    page.goto(url)
    page.locator(".rw-launcher").click()


def type_message(page: Any, text: str) -> None:
    page.locator(".rw-new-message").fill(text)
    page.keyboard.press("Enter")


def expect_quick_replies(page: Any, reply: Dict[str, Any]) -> None:
    from playwright.sync_api import expect

    for button in reply.get("buttons", []):
        expect(page.locator(".rw-reply", has_text=button["title"]).last).to_be_visible()


def test_widget_markdown_renders_as_blocks_in_react_markdown():
    """What to_widget_markdown writes, through the widget's own markdown renderer."""
    script = (
        "const React = require('react'); const server = require('react-dom/server');"
        "const Markdown = require('react-markdown'); let source = '';"
        "process.stdin.on('data', d => source += d);"
        "process.stdin.on('end', () => process.stdout.write("
        "server.renderToStaticMarkup(React.createElement(Markdown, {source}))));"
    )
    if not (ROOT / "node_modules" / "react-markdown").exists():
        pytest.fail("node_modules missing: `make web-build` runs npm ci")
    text = (
        "A **PMO Analyst** is the level 2 role.\nIn short, they keep PMOs running.\nDay to day, they:\n"
        "- gather data\n- write reports\nCourses are on https://www.pmolearning.co.uk.\n\nThe end."
    )
    html = subprocess.run(
        ["node", "-e", script],
        input=to_widget_markdown(text),
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
        timeout=60,
    ).stdout
    assert html == (
        "<p>A <strong>PMO Analyst</strong> is the level 2 role.<br/>In short, they keep PMOs running.<br/>"
        "Day to day, they:</p><ul><li>gather data</li><li>write reports</li></ul>"
        '<p>Courses are on <a href="https://www.pmolearning.co.uk">https://www.pmolearning.co.uk</a>.</p>'
        "<p>The end.</p>"
    )


def test_widget_conversation_survives_a_reload(channels: Stack, browser, tmp_path):
    from playwright.sync_api import expect

    # The same conversation through the REST channel: what the widget must show.
    say = channels.rest_conversation()
    greeting = say("/greet")  # the widget's initPayload
    answer_replies = say(QUESTION)
    answer = with_buttons(answer_replies)
    choice = next((b for b in answer["buttons"] if "course" in b["payload"]), answer["buttons"][1])
    chosen = say(choice["payload"])
    follow_up = say(FOLLOW_UP)
    prices = say(PRICES)
    shown: List[Dict[str, Any]] = []  # every reply the widget has shown so far

    context, page, errors = open_page(browser, width=1000, height=900)
    requested: List[str] = []
    context.on("request", lambda request: requested.append(request.url))
    responses = page.locator(".rw-response")
    links_checked = 0

    def bubble(reply: Dict[str, Any]):
        return responses.filter(has_text=opening(reply["text"]))

    def expect_replies(replies: List[Dict[str, Any]]) -> None:
        """Each reply in a bubble of its own, drawn paragraph by paragraph and list by list."""
        nonlocal links_checked
        shown.extend(r for r in replies if r.get("text"))
        for reply in replies:
            if not reply.get("text"):
                continue
            same = [r for r in shown if opening(r["text"]) == opening(reply["text"])]
            expect(bubble(reply)).to_have_count(len(same))
            drawn = bubble(reply).last.locator(".rw-markdown")
            assert drawn.evaluate(STRUCTURE_JS) == structure(reply["text"]), reply["text"]
            for url in {m.group(0) for m in BARE_URL.finditer(reply["text"])}:
                # exactly the address: "... on https://www.pmolearning.co.uk." must not link "...co.uk."
                expect(drawn.locator(f"a[href={json.dumps(url)}]").first).to_be_visible()
                links_checked += 1
        if replies:
            expect_quick_replies(page, replies[-1])

    try:
        open_widget(page, channels.page_url)

        # a new visitor is greeted with the main options
        expect_replies(greeting)

        # a question typed in the widget gets the answer and its quick replies
        type_message(page, QUESTION)
        expect_replies(answer_replies)
        shot = tmp_path / "widget.png"
        page.screenshot(path=str(shot))
        if os.environ.get("WIDGET_SCREENSHOT"):  # refreshes docs/widget.png (see README)
            shutil.copyfile(shot, os.environ["WIDGET_SCREENSHOT"])

        # a quick reply is clickable and answered
        page.locator(".rw-reply", has_text=choice["title"]).last.click()
        expect_replies(chosen)
        assert page.locator(".rw-response a[href$='.']").count() == 0

        # after a reload the history is still there, nothing is greeted twice,
        # and the same session goes on (socket.io session_persistence)
        session = session_id(page)
        page.reload()
        # the widget remembers it was open: no click needed (a click would close it)
        expect(page.locator(".rw-messages-container")).to_be_visible()
        expect(bubble(answer)).to_have_count(len([r for r in shown if opening(r["text"]) == opening(answer["text"])]))
        expect(page.locator(".rw-client", has_text=QUESTION)).to_have_count(1)
        assert session_id(page) == session
        type_message(page, FOLLOW_UP)
        expect_replies(follow_up)
        greeted = greeting[0]
        expect(bubble(greeted)).to_have_count(len([r for r in shown if opening(r["text"]) == opening(greeted["text"])]))

        # lists and links (checked by expect_replies)
        type_message(page, PRICES)
        expect_replies(prices)
    finally:
        context.close()

    assert errors == []
    assert links_checked, "no answer in this conversation had a link to check: change PRICES"
    assert any(
        list_then_paragraph(r["text"]) for r in shown
    ), "no answer in this conversation had a list followed by a paragraph: change PRICES"
    hosts = {urlsplit(url).hostname for url in requested if not url.startswith(("data:", "blob:"))}
    assert hosts == {"127.0.0.1"}, f"the page fetched from elsewhere: {sorted(hosts)}"
    assert any(url.endswith("/pmo-chat/fonts/inter-latin-400-normal.woff2") for url in requested)
    channels.assert_not_logged(QUESTION, FOLLOW_UP, PRICES)


def test_widget_follow_ups_lean_on_the_conversation(channels: Stack, browser):
    """A role, its "What they do day to day" quick reply (a list), then "and the director?"."""
    from playwright.sync_api import expect

    kb = default_knowledge_base()
    say = channels.rest_conversation()
    greeting = say("/greet")
    about = say(ROLE_QUESTION)
    more = next(b for b in with_buttons(about)["buttons"] if '"attribute": "duties"' in b["payload"])
    role = kb.role(json.loads(more["payload"][more["payload"].index("{") :])["role"])
    duties = say(more["payload"])
    director = say(AND_THE_DIRECTOR)

    context, page, errors = open_page(browser, width=1280, height=800)
    responses = page.locator(".rw-response")
    count = 0

    def expect_replies(replies: List[Dict[str, Any]]):
        """The replies as the next bubbles, block by block; the last one's markdown."""
        nonlocal count
        texts = [r for r in replies if r.get("text")]
        count += len(texts)
        expect(responses).to_have_count(count)
        for offset, reply in enumerate(texts, start=count - len(texts)):
            bubble = responses.nth(offset)
            expect(bubble).to_contain_text(opening(reply["text"]))
            assert bubble.locator(".rw-markdown").evaluate(STRUCTURE_JS) == structure(reply["text"]), reply["text"]
        expect_quick_replies(page, replies[-1])
        return responses.nth(count - 1).locator(".rw-markdown")

    try:
        open_widget(page, channels.page_url)
        expect_replies(greeting)
        type_message(page, ROLE_QUESTION)
        expect_replies(about)

        # the "more" quick reply: the role's duties as a list
        page.locator(".rw-reply", has_text=more["title"]).last.click()
        drawn = expect_replies(duties)
        items = drawn.locator("ul > li")
        expect(items).to_have_count(len(role.duties))
        expect(items.first).to_be_visible()
        assert items.all_inner_texts() == role.duties

        # another role, by context alone: the same kind of answer, for the director
        type_message(page, AND_THE_DIRECTOR)
        drawn = expect_replies(director)
        expect(drawn).to_contain_text(kb.role(DIRECTOR).name)
        expect(page.locator(".rw-client", has_text=AND_THE_DIRECTOR)).to_have_count(1)
    finally:
        context.close()
    assert errors == []
    channels.assert_not_logged(ROLE_QUESTION, AND_THE_DIRECTOR)
