"""The bot's text convention, drawn for each channel (pure formatting, no Rasa).

Answers are one text plus optional buttons. The text uses a tiny markdown subset:

- paragraphs are separated by a blank line;
- a bullet list is consecutive lines starting with ``- ``;
- ``**bold**`` may appear, and so may ``[label](https://...)`` links;
- bare URLs (``https://www.pmolearning.co.uk``) are links; the punctuation that
  ends the sentence around them is not part of them;
- a single newline inside a paragraph is a line break.

Each channel renders that differently, so :func:`blocks` reads the text once
(leniently: a list directly after or before a paragraph line, without the blank
line, is still a separate block) and one function per channel draws it:

- :func:`to_widget_markdown`: rasa-webchat 1.0.1 (react-markdown 4, remark-parse 5);
- :func:`to_slack_mrkdwn`: Slack's mrkdwn;
- :func:`to_teams`: the markdown of a Teams text message;
- :func:`to_plain`: a terminal (``rasa shell``), wrapped without breaking words.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Callable, List, Sequence, Union

__all__ = [
    "BulletList",
    "Paragraph",
    "blocks",
    "display_width",
    "link_urls",
    "to_plain",
    "to_slack_mrkdwn",
    "to_teams",
    "to_widget_markdown",
    "wrap",
]

# A bare URL, without the punctuation that ends the sentence around it. The
# widget's markdown autolinker would take "https://x.example." or
# "https://x.example/a)" whole; an explicit [url](url) link leaves it no choice.
BARE_URL = re.compile(r"(?<![\w(\[<\]/])https?://[^\s<>()\[\]]*[^\s<>()\[\].,;:!?'\"]")
BULLET = re.compile(r"^ {0,3}[-*\u2022]\s+(?P<item>\S.*)$")
INLINE = re.compile(
    r"\*\*(?P<bold>\S(?:.*?\S)?)\*\*"
    r"|\[(?P<label>[^\]\n]+)\]\((?P<href>https?://[^\s()]+)\)"
    r"|(?P<url>" + BARE_URL.pattern + ")"
)


@dataclass(frozen=True)
class Paragraph:
    lines: List[str]  # each a line of its own (a single newline in the text)


@dataclass(frozen=True)
class BulletList:
    items: List[str]


Block = Union[Paragraph, BulletList]


def blocks(text: str) -> List[Block]:
    """The paragraphs and bullet lists of ``text``, in order."""
    found: List[Block] = []
    current: Union[Paragraph, BulletList, None] = None
    for raw in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.rstrip()
        if not line.strip():
            current = None
            continue
        bullet = BULLET.match(line)
        if bullet:
            if not isinstance(current, BulletList):
                current = BulletList([])
                found.append(current)
            current.items.append(bullet.group("item").strip())
        elif isinstance(current, BulletList) and line[:1].isspace():
            current.items[-1] += " " + line.strip()  # an indented line continues the item
        else:
            if not isinstance(current, Paragraph):
                current = Paragraph([])
                found.append(current)
            current.lines.append(line.strip())
    return found


def link_urls(text: str) -> str:
    """Bare URLs as markdown links; URLs already in a link are left alone."""
    return BARE_URL.sub(lambda m: f"[{m.group(0)}]({m.group(0)})", text)


def _inline(text: str, plain: Callable[[str], str], bold: Callable[[str], str], link: Callable[[str, str], str]) -> str:
    """``text`` with its bold spans and links drawn by the given functions."""
    out: List[str] = []
    position = 0
    for match in INLINE.finditer(text):
        out.append(plain(text[position : match.start()]))
        if match.group("bold") is not None:
            out.append(bold(_inline(match.group("bold"), plain, lambda s: s, link)))
        elif match.group("href") is not None:
            out.append(link(match.group("label"), match.group("href")))
        else:
            out.append(link(match.group("url"), match.group("url")))
        position = match.end()
    out.append(plain(text[position:]))
    return "".join(out)


# Website widget ---------------------------------------------------------------


def _widget_inline(text: str) -> str:
    return _inline(text, lambda s: s, lambda s: f"**{s}**", lambda label, url: f"[{label}]({url})")


def _draw(text: str, item: Callable[[str], str], line: Callable[[str], str], line_break: str) -> str:
    """Paragraphs and lists drawn block by block, a blank line between blocks."""
    drawn = []
    for block in blocks(text):
        if isinstance(block, BulletList):
            drawn.append("\n".join(item(entry) for entry in block.items))
        else:
            drawn.append(line_break.join(line(entry) for entry in block.lines))
    return "\n\n".join(drawn)


def to_widget_markdown(text: str) -> str:
    """Markdown for rasa-webchat 1.0.1 (react-markdown 4 on remark-parse 5).

    A blank line around every list (or remark would continue the last item with
    the next paragraph's lines), a hard break (two spaces) for a single newline
    (a soft one is drawn as a space), and bare URLs as exact links.
    """
    return _draw(text, lambda item: f"- {_widget_inline(item)}", _widget_inline, line_break="  \n")


# Slack ------------------------------------------------------------------------


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _slack_link(label: str, url: str) -> str:
    if label == url:
        return f"<{_slack_escape(url)}>"
    return f"<{_slack_escape(url)}|{_slack_escape(label).replace('|', '/')}>"


def _slack_inline(text: str) -> str:
    return _inline(text, _slack_escape, lambda s: f"*{s}*", _slack_link)


def to_slack_mrkdwn(text: str) -> str:
    """Slack's mrkdwn: ``*bold*``, ``•`` bullets, ``<url|label>`` links, ``&<>`` escaped.

    Slack keeps newlines as they are, so a line break is a newline and a
    paragraph a blank line.
    """
    return _draw(text, lambda item: f"\u2022 {_slack_inline(item)}", _slack_inline, line_break="\n")


# Microsoft Teams ----------------------------------------------------------------


def _teams_inline(text: str) -> str:
    # Teams reads HTML in markdown messages: "<" and ">" as entities, drawn as themselves.
    return _inline(
        text,
        lambda s: s.replace("<", "&lt;").replace(">", "&gt;"),
        lambda s: f"**{s}**",
        lambda label, url: f"[{label}]({url})",
    )


def to_teams(text: str) -> str:
    """Markdown for a Teams text message (``textFormat: markdown``).

    Teams drops a single newline, so a line break is a hard break (two spaces).
    List lines end with one too: Teams desktop draws the list (CommonMark drops
    a hard break at the end of an item), and the mobile apps, which draw no
    lists, still show one ``- item`` a line. Paragraphs are a blank line apart.
    """
    drawn = []
    for block in blocks(text):
        if isinstance(block, BulletList):
            drawn.append("  \n".join(f"- {_teams_inline(item)}" for item in block.items))
        else:
            drawn.append("  \n".join(_teams_inline(line) for line in block.lines))
    return "\n\n".join(drawn)


# Terminal (rasa shell) -------------------------------------------------------------


def display_width(text: str) -> int:
    """Terminal columns ``text`` takes: wide (CJK, most emoji) 2, combining marks 0."""
    width = 0
    for char in text:
        if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def wrap(line: str, width: int, first: str = "", rest: str = "") -> List[str]:
    """``line`` in lines of at most ``width`` columns, broken only between words.

    ``first`` starts the first line and ``rest`` the others (a bullet and its
    hanging indent). A word longer than a whole line gets a line of its own and
    is never cut (a long URL stays clickable).
    """
    lines: List[str] = []
    current, used = first, display_width(first)
    empty = True
    for word in line.split():
        size = display_width(word)
        if not empty and used + 1 + size > width:
            lines.append(current)
            current, used, empty = rest, display_width(rest), True
        if empty:
            current, used, empty = current + word, used + size, False
        else:
            current, used = current + " " + word, used + 1 + size
    if not empty or not lines:
        lines.append(current.rstrip())
    return lines


def _plain_link(label: str, url: str) -> str:
    return url if label == url else f"{label} ({url})"


def _plain_inline(text: str) -> str:
    return _inline(text, lambda s: s, lambda s: s, _plain_link)


def to_plain(text: str, width: int = 80, bullet: str = "\u2022") -> str:
    """Plain text for a terminal ``width`` columns wide: no markup, ``•`` bullets
    with a hanging indent, every line wrapped between words."""
    width = max(width, 20)
    marker = f"{bullet} "
    drawn: List[str] = []
    for block in blocks(text):
        lines: Sequence[str]
        if isinstance(block, BulletList):
            lines = [
                wrapped
                for item in block.items
                for wrapped in wrap(_plain_inline(item), width, marker, " " * display_width(marker))
            ]
        else:
            lines = [wrapped for line in block.lines for wrapped in wrap(_plain_inline(line), width)]
        drawn.append("\n".join(lines))
    return "\n\n".join(drawn)
