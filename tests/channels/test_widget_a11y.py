"""The widget as a website owner and a visitor expect it, in a real headless Chromium.

- The demo page's one-line embed gives it PMO Learning's brand through ``data-*``
  attributes; another site's attributes (a light colour, its own title, opening message,
  privacy page and retention) are taken too, on a phone-sized screen.
- Keyboard and labels: the launcher, the input, the quick replies and the page's own
  buttons are reached with Tab and have names; axe-core (npm, pinned) finds nothing.
- Privacy: the notice above the greeting says what is kept and for how long and links
  the privacy page; "Clear" deletes the history in the browser and starts a new session.
- Feedback: a thumb under an answer is stored in that conversation's tracker (read back
  from the tracker store) as the ``answer_feedback`` SlotSet.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List

import pytest
import requests

from bot.channels.feedback import MAX_ANSWER_CHARS
from tests.channels.conftest import Stack
from tests.channels.test_webchat import browser, open_page, session_id, type_message, with_buttons  # noqa: F401
from tests.channels.test_widget_feedback import stored_feedback

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
NAVY = "rgb(29, 53, 87)"
QUESTION = "what does a PMO analyst do?"
AXE_JS = """async () => {
    const result = await axe.run(document, {resultTypes: ['violations']});
    return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                        nodes: v.nodes.map(n => n.target.join(' '))}));
}"""
FOCUSED_JS = """() => {
    const e = document.activeElement;
    if (!e || e === document.body) return null;
    return {cls: String(e.className), name: e.getAttribute('aria-label') || e.textContent.trim().slice(0, 60)};
}"""


def axe_violations(page: Any) -> List[Dict[str, Any]]:
    if not AXE.exists():
        pytest.fail(f"{AXE} missing: `make web-build` runs npm ci")
    page.add_script_tag(path=str(AXE))
    return page.evaluate(AXE_JS)


def tab_through(page: Any, presses: int = 40) -> List[Dict[str, str]]:
    """What Tab reaches, in order, from the top of the page."""
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    reached = []
    for _ in range(presses):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED_JS)
        if focused:
            reached.append(focused)
    return reached


def reached(elements: List[Dict[str, str]], css_class: str) -> List[Dict[str, str]]:
    return [e for e in elements if css_class in e["cls"].split()]


def test_the_themed_widget_is_usable_by_keyboard_keeps_feedback_and_clears(channels: Stack, browser):  # noqa: F811
    from playwright.sync_api import expect

    say = channels.rest_conversation()
    greeting = with_buttons(say("/greet"))
    answer = with_buttons(say(QUESTION))

    context, page, errors = open_page(browser, width=1280, height=800)
    try:
        page.goto(channels.page_url)
        launcher = page.locator(".rw-launcher")
        expect(launcher).to_be_visible()
        assert launcher.evaluate("e => getComputedStyle(e).backgroundColor") == NAVY

        # the launcher is reached with Tab, named, and opens the chat with Enter
        before = tab_through(page, presses=6)
        assert reached(before, "rw-launcher"), before
        launcher.focus()
        assert "Open the chat" in launcher.get_attribute("aria-label")
        page.keyboard.press("Enter")
        expect(page.locator(".rw-chat-open")).to_have_count(1)
        expect(page.locator(".rw-reply", has_text=greeting["buttons"][0]["title"]).last).to_be_visible()

        # the brand and the privacy notice above the greeting
        header = page.locator(".rw-header")
        assert header.evaluate("e => getComputedStyle(e).backgroundColor") == NAVY
        expect(header).to_contain_text("PMO Learning")
        assert page.locator("img[src$='/pmo-chat/pmo-avatar.svg']").count() >= 1
        notice = page.locator(".rw-messages-container > .pmo-privacy")
        expect(notice).to_contain_text("365 days")
        privacy = notice.locator("a").get_attribute("href")
        assert privacy.endswith("/pmo-chat/privacy.html")
        policy = requests.get(privacy, timeout=10)
        assert policy.status_code == 200 and "365 days" in policy.text and "Clear" in policy.text

        # every control has a name, and Tab reaches the quick replies, the input and "Clear"
        for selector, name in [
            (".rw-new-message", "Your message"),
            (".rw-send", "Send"),
            (".pmo-clear", "Clear conversation"),
        ]:
            assert name in page.locator(selector).get_attribute("aria-label"), selector
        inside = tab_through(page)
        for css_class in ("rw-reply", "rw-new-message", "pmo-clear", "rw-launcher"):
            assert reached(inside, css_class), (css_class, inside)
        # a quick reply works from the keyboard
        first = page.locator(".rw-reply", has_text=greeting["buttons"][0]["title"]).last
        first.focus()
        page.keyboard.press("Enter")
        expect(page.locator(".rw-client", has_text=greeting["buttons"][0]["title"])).to_have_count(1)

        # an answer rated with a thumb is kept in the conversation
        type_message(page, QUESTION)
        expect(page.locator(".rw-reply", has_text=answer["buttons"][0]["title"]).last).to_be_visible()
        thumbs = page.locator(".pmo-rate").last
        expect(thumbs).to_be_visible()
        assert page.locator(".pmo-rate").count() == page.locator(".rw-response").count() - 1  # not the greeting
        down = thumbs.locator("button[data-rating='down']")
        assert down.get_attribute("aria-label") == "Not helpful"
        down.click()
        expect(thumbs.locator(".pmo-rate-status")).to_have_text("Thanks for the feedback")
        expect(down).to_have_attribute("aria-pressed", "true")
        session = session_id(page)
        assert stored_feedback(channels, session) == [{"rating": "down", "answer": answer["text"][:MAX_ANSWER_CHARS]}]

        # axe-core: nothing to report on the page with the chat open, answers, thumbs and all
        violations = axe_violations(page)
        assert violations == [], json.dumps(violations, indent=1)

        # "Clear": the history leaves the browser and a new session is greeted
        page.locator(".pmo-clear").click()
        expect(page.locator(".rw-client")).to_have_count(0)
        expect(page.locator(".rw-reply", has_text=greeting["buttons"][0]["title"]).last).to_be_visible()
        page.wait_for_function(
            "s => JSON.parse(localStorage.getItem('chat_session') || '{}').session_id"
            " && JSON.parse(localStorage.getItem('chat_session')).session_id !== s",
            arg=session,
        )
        assert session_id(page) != session
        assert page.evaluate("localStorage.getItem('pmo_chat_ratings')") is None
        expect(page.locator(".pmo-rate")).to_have_count(0)
        expect(page.locator(".pmo-privacy")).to_have_count(1)
        page.reload()  # and it stays cleared
        expect(page.locator(".rw-client")).to_have_count(0)
    finally:
        context.close()
    assert errors == []
    channels.assert_not_logged(QUESTION)


def test_another_sites_brand_and_opening_message_on_a_phone(channels: Stack, browser):  # noqa: F811
    from playwright.sync_api import expect

    say = channels.rest_conversation()
    greeting = with_buttons(say("/greet"))
    opening = "Welcome to Acme Training! Ask me which PMO course suits you."
    embed = (
        f'<script src="/pmo-chat/pmo-chat.js" data-socket-url="{channels.rasa_url}" data-color="#ffd166" '
        'data-title="Acme Training" data-subtitle="Courses for busy PMOs" '
        f'data-opening-message="{opening}" data-avatar="javascript:alert(1)" '
        'data-privacy-url="/acme-privacy" data-retention-days="90" defer></script>'
    )
    html = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Acme</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">'
        f"</head><body><main><h1>Acme Training</h1></main>{embed}</body></html>"
    )

    # served by the stack's page server (a page from page.route would be "public" to Chromium's
    # local network checks and could not reach the loopback Rasa server)
    (channels.endpoints.parent / "dist" / "acme.html").write_text(html, encoding="utf-8")
    context, page, errors = open_page(browser, width=390, height=844)
    try:
        page.goto(channels.page_url + "/acme.html")
        page.locator(".rw-launcher").click()
        expect(page.locator(".rw-response").first).to_have_text(opening)
        for button in greeting["buttons"]:  # the assistant's own options stay
            expect(page.locator(".rw-reply", has_text=button["title"]).last).to_be_visible()
        header = page.locator(".rw-header")
        assert header.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(255, 209, 102)"
        # dark text on the light brand colour
        assert page.locator(".rw-title").evaluate("e => getComputedStyle(e).color") == "rgb(29, 36, 51)"
        expect(header).to_contain_text("Acme Training")
        expect(header).to_contain_text("Courses for busy PMOs")
        assert page.locator("img[src^='javascript']").count() == 0
        notice = page.locator(".pmo-privacy")
        expect(notice).to_contain_text("90 days")
        assert notice.locator("a").get_attribute("href") == channels.page_url + "/acme-privacy"
        # on a phone the chat fills the screen
        box = page.locator(".rw-conversation-container").bounding_box()
        assert box["width"] >= 380, box
        violations = axe_violations(page)
        assert violations == [], json.dumps(violations, indent=1)
    finally:
        context.close()
    assert errors == []
