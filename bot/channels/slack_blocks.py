"""Slack Block Kit for the bot's answers, a clicked choice and the App Home (pure).

Text is drawn in Slack's mrkdwn by :func:`bot.render.to_slack_mrkdwn`. A message
with buttons carries the whole answer: a section holds at most 3,000 characters,
so a longer text takes several sections, cut between paragraphs where possible.
"""

from __future__ import annotations

from typing import Any, Dict, List, Sequence

from bot.render import to_slack_mrkdwn

MAX_BUTTONS = 25  # Block Kit: at most 25 elements in one actions block
MAX_SECTION_CHARS = 3_000  # Block Kit: a section's text
MAX_BLOCKS = 50  # Block Kit: blocks in one message
MAX_HOME_BLOCKS = 100  # Block Kit: blocks in a Home tab view


def split_sections(text: str, limit: int = MAX_SECTION_CHARS) -> List[str]:
    """``text`` (already mrkdwn) in pieces of at most ``limit`` characters.

    Cut between paragraphs if possible, else between lines, else between words
    (a single word longer than ``limit`` is cut where it must be).
    """
    pieces: List[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[: limit + 1]
        cut = next((at for sep in ("\n\n", "\n", " ") if (at := window.rfind(sep)) > 0), limit)
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest or not pieces:
        pieces.append(rest)
    return pieces


def sections(text: str) -> List[Dict[str, Any]]:
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": piece}}
        for piece in split_sections(to_slack_mrkdwn(text))
        if piece
    ]


def actions_block(buttons: Sequence[Dict[str, Any]]) -> Dict[str, Any]:
    """One Block Kit button per choice: the Rasa payload as its value, or a link."""
    elements = []
    for index, button in enumerate(buttons[:MAX_BUTTONS]):
        element: Dict[str, Any] = {
            "type": "button",
            "action_id": f"pmo_choice_{index}",
            "text": {"type": "plain_text", "text": str(button.get("title", ""))[:75], "emoji": True},
        }
        if button.get("url"):
            element["url"] = button["url"]
        else:
            element["value"] = str(button.get("payload", button.get("title", "")))[:2000]
        elements.append(element)
    return {"type": "actions", "block_id": "pmo_choices", "elements": elements}


def button_blocks(text: str, buttons: Sequence[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The whole text in sections, then an actions block with one button per choice."""
    return sections(text)[: MAX_BLOCKS - 1] + [actions_block(buttons)]


def chosen_blocks(message: Dict[str, Any], title: str, user: str = "") -> List[Dict[str, Any]]:
    """The clicked message without its buttons, plus a line saying who chose what.

    ``<@U…>`` is drawn by Slack as that person's name, which matters in a thread
    where several people share the conversation.
    """
    blocks = [b for b in message.get("blocks") or [] if isinstance(b, dict) and b.get("type") != "actions"]
    who = f"<@{user}> chose" if user else "You chose"
    chosen = {"type": "mrkdwn", "text": f"{who}: *{to_slack_mrkdwn(title)}*"}
    return [*blocks, {"type": "context", "elements": [chosen]}]


def home_view(text: str, buttons: Sequence[Dict[str, Any]]) -> Dict[str, Any]:
    """The App Home tab: the welcome, the main options, and where to chat."""
    hint = {"type": "mrkdwn", "text": "Or write to me in the *Messages* tab, or mention me in a channel."}
    blocks = sections(text)[: MAX_HOME_BLOCKS - 2] + [actions_block(buttons), {"type": "context", "elements": [hint]}]
    return {"type": "home", "blocks": blocks}
