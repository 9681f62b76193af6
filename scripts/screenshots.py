"""Screenshots of the website widget for the README (not part of the test suite).

With ``make web`` running in another terminal (or any stack whose demo page is at
``--page-url``), this opens the demo page in Debian's Chromium (driven by
Playwright; never a browser download) at a laptop-sized viewport, opens the
widget, has three short conversations and saves:

- ``docs/widget-role.png``: the answer to "what does a PMO planner do?";
- ``docs/widget-courses.png``: the answer to "what courses do you have?";
- ``docs/widget-follow-up.png``: after the course list, "the second one" then
  "how long is it?";
- ``docs/widget-feedback.png``: an answer rated with the thumbs under it;
- ``docs/widget-mobile.png``: the same widget on a phone (390x844), where it
  fills the screen.

The demo page gives the widget PMO Learning's brand through the loader's
``data-*`` attributes (navy, title, subtitle, avatar; README, "Embedding it in
a website"), so these show the themed widget with its privacy notice, "Clear"
button and thumbs.

Each conversation starts in a fresh browser context, so a new session. The
widget is shown as any visitor sees it (nothing restyled by this script); only its message
area is scrolled, to show the whole last answer, at least one of its quick
replies, no line cut in two, and the user's message(s) before it when they fit.
An answer taller than the message area (rasa-webchat makes it min(510 px, 50vh),
410 px at 1280x800) is shown from its first line, with a warning. Each shot
checks that the answer says what the knowledge base says it should.

    .venv/bin/python scripts/screenshots.py                  # against make web
    .venv/bin/python scripts/screenshots.py --page-url http://127.0.0.1:8000 --out docs
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, List

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from bot.knowledge_base import KnowledgeBase, default_knowledge_base  # noqa: E402
from harness.browser import CHROMIUM  # noqa: E402
from harness.browser import FLAGS as BROWSER_FLAGS  # noqa: E402

FLAGS = [*BROWSER_FLAGS, "--hide-scrollbars"]
TIMEOUT_MS = 90_000
MAX_BYTES = 300_000


@dataclass
class Shot:
    name: str
    messages: List[str]
    # What the last answer must show, from the knowledge base.
    shows: Callable[[KnowledgeBase], List[str]]
    # Keep the conversation from this user message on in view when it fits
    # (an index into messages); otherwise from the last one.
    from_message: int = -1
    quick_replies: bool = True
    viewport: tuple = ()  # (width, height); default the command line's
    rate: str = ""  # "up" or "down": click that thumb under the last answer first


SHOTS = [
    Shot("widget-role", ["what does a PMO planner do?"], lambda kb: ["PMO Planner", kb.role("PMO Analyst").name]),
    Shot("widget-courses", ["what courses do you have?"], lambda kb: [course.name for course in kb.courses]),
    Shot(
        "widget-follow-up",
        ["what courses do you have?", "the second one", "how long is it?"],
        lambda kb: [kb.courses[1].name],
        from_message=1,
    ),
    Shot("widget-feedback", ["what does a PMO analyst do?"], lambda kb: [kb.role("PMO Analyst").name], rate="up"),
    Shot(
        "widget-mobile",
        ["what does a PMO planner do?"],
        lambda kb: ["PMO Planner", kb.role("PMO Analyst").name],
        viewport=(390, 844),
    ),
]


def wait_for_answer(page, before: int, settle_s: float = 1.5) -> None:
    """Until at least one new bot bubble has arrived and nothing more comes for settle_s."""
    responses = page.locator(".rw-response")
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while responses.count() <= before:
        if time.monotonic() > deadline:
            raise SystemExit("no answer from the assistant: is Rasa running (make web)?")
        page.wait_for_timeout(200)
    count, since = responses.count(), time.monotonic()
    while time.monotonic() - since < settle_s:
        page.wait_for_timeout(200)
        busy = page.locator(".rw-typing-indication").count() > 0
        if responses.count() != count or busy:
            count, since = responses.count(), time.monotonic()


SCROLL_JS = """([fromIndex]) => {
    // Where to scroll the widget's message area for the picture, tried pixel by
    // pixel. Wanted, in this order: the whole last answer; at least one of its
    // quick replies; no line of text or quick reply cut by the top or bottom edge;
    // the chosen user message (else the last one) in view; more quick replies.
    // An answer taller than the area is shown from its first line instead.
    const box = document.querySelector('.rw-messages-container');
    const area = box.getBoundingClientRect();
    const span = r => [r.top - area.top + box.scrollTop, r.bottom - area.top + box.scrollTop];
    const of = el => span(el.getBoundingClientRect());
    const clients = Array.from(box.querySelectorAll('.rw-client'));
    const responses = box.querySelectorAll('.rw-response');
    const answer = of(responses[responses.length - 1]);
    const replies = Array.from(box.querySelectorAll('.rw-reply')).map(of);
    const chosen = clients[fromIndex < 0 ? clients.length + fromIndex : fromIndex];
    const last = clients[clients.length - 1];
    const lines = [];  // every line of text, as drawn
    const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
    for (let node; (node = walker.nextNode());) {
        const range = document.createRange();
        range.selectNodeContents(node);
        for (const rect of range.getClientRects()) {
            // a line box is taller than its letters: a few pixels of it may go
            const [a, b] = span(rect);
            if (rect.height) lines.push([a + 3, b - 3]);
        }
    }
    const units = [...lines, ...replies, ...clients.map(of)];
    const height = box.clientHeight, margin = 6, most = box.scrollHeight - height;
    const inView = ([a, b], s) => a >= s && b <= s + height;
    const cut = s => units.some(([a, b]) => (a < s && b > s) || (a < s + height && b > s + height));
    const score = s => [
        inView([answer[0] - margin, answer[1]], s),
        replies.length === 0 || replies.some(r => inView(r, s)),
        !cut(s),
        Boolean(chosen) && inView(of(chosen), s),
        Boolean(last) && inView(of(last), s),
        replies.filter(r => inView(r, s)).length,
        s,
    ];
    const better = (x, y) => {
      for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] > y[i];
      return false;
    };
    let best = most, bestScore = score(most);
    for (let s = 0; s <= most; s++) { const t = score(s); if (better(t, bestScore)) { best = s; bestScore = t; } }
    const wholeAnswer = bestScore[0];
    if (!wholeAnswer) {  // from the answer's first line down, no line cut in two if a little higher avoids it
        const start = Math.round(answer[0] - margin);
        best = start;
        for (let s = start; s >= Math.max(0, start - 40); s--) if (!cut(s)) { best = s; break; }
    }
    box.scrollTop = best;
    const edge = box.scrollTop + height;
    const hidden = lines.filter(([a, b]) => a < edge && b > edge);
    const shown = replies.filter(r => inView(r, box.scrollTop)).length;
    return {wholeAnswer, quickReplies: shown + ' of ' + replies.length,
            userMessages: clients.filter(c => inView(of(c), box.scrollTop)).map(c => c.textContent),
            lineCutAtBottom: hidden.length > 0};
}"""


def take(browser, page_url: str, shot: Shot, kb: KnowledgeBase, out: Path, width: int, height: int) -> Path:
    from playwright.sync_api import expect

    width, height = shot.viewport or (width, height)
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="en-GB", is_mobile=width < 500, has_touch=width < 500
    )
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        page.goto(page_url)
        page.locator(".rw-launcher").click()
        wait_for_answer(page, 0)  # the greeting (initPayload /greet)
        for message in shot.messages:
            before = page.locator(".rw-response").count()
            page.locator(".rw-new-message").fill(message)
            page.keyboard.press("Enter")
            wait_for_answer(page, before)
        answer = page.locator(".rw-response").last
        for text in shot.shows(kb):
            expect(answer).to_contain_text(text)
        if shot.quick_replies:
            expect(page.locator(".rw-reply").last).to_be_visible()
        if shot.rate:
            page.locator(f".pmo-rate button[data-rating='{shot.rate}']").last.click()
            expect(page.locator(".pmo-rate-status").last).to_have_text("Thanks for the feedback")
        page.locator(".rw-new-message").blur()
        page.mouse.move(10, height - 10)  # no hover effect on a quick reply
        where = page.evaluate(SCROLL_JS, [shot.from_message])
        if not where["wholeAnswer"]:
            print(f"warning: {shot.name}: the answer is taller than the widget's message area", file=sys.stderr)
        page.wait_for_timeout(300)
        path = out / f"{shot.name}.png"
        page.screenshot(path=str(path))
    finally:
        context.close()
    size = path.stat().st_size
    print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: {size // 1000} KB, {where}")
    if size > MAX_BYTES:
        print(f"warning: {path} is over {MAX_BYTES // 1000} KB", file=sys.stderr)
    return path


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--page-url", default="http://localhost:8000", help="the demo page (make web)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    parser.add_argument("--chromium", default=CHROMIUM)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=800)
    parser.add_argument("--only", nargs="*", help="names of the shots to take (default: all)")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    if not Path(args.chromium).exists():
        raise SystemExit(f"{args.chromium} not found: `make browser` installs Debian's chromium package")
    kb = default_knowledge_base()
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, headless=True, args=FLAGS)
        try:
            for shot in SHOTS:
                if not args.only or shot.name in args.only:
                    take(browser, args.page_url, shot, kb, args.out, args.width, args.height)
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
