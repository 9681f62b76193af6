"""The shell's channel (``python -m bot.serving shell``): ``rasa shell`` that can be read at 80 columns.

Rasa 3.6's shell (``rasa.core.channels.console``) prints an answer with buttons
as the *title* of a questionary select list, and questionary cuts every line of
a title but the last at the terminal width: most of a long answer cannot be
read. Its choices read ``1: Career path (/ask_career_path{"role": ...})``. And
its server side is Rasa's stock REST channel, without this project's checks or
its apology when a turn produces nothing (the action server is down, say).

Here, what :mod:`bot.serving.shell` installs in their place (it checks Rasa first):

- :func:`record_messages`: greets first (sends ``/greet``, as the widget does), prints every
  answer in full, drawn by :func:`bot.render.to_plain` at the terminal's width,
  then offers the last answer's buttons as numbered choices showing their
  titles only (the payload is sent, not shown), plus
  "Type out your own message...". A turn that fails on the way (server error,
  time-out) gets the apology too;
- :func:`shell_input_class`: the project's REST channel (:mod:`bot.channels.rest`: body
  checks, text caps, the apology when a turn sends nothing) under the name ``cmdline``.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import sys
from typing import Any, Dict, List, Optional, Sequence

from bot.render import display_width, to_plain

logger = logging.getLogger(__name__)

# What the choices may take on a line: questionary draws " » " (or 3 spaces) before each.
CHOICE_MARGIN = 4
CHOOSE = "Choose a reply:"
GREETING = "/greet"  # sent at start, as the widget's initPayload: the first screen is the greeting
DEFAULT_TIMEOUT_SECONDS = 60 * 5


def terminal_width(default: int = 80) -> int:
    return shutil.get_terminal_size((default, 24)).columns or default


def bullet_for(stream: Any = None) -> str:
    """``•`` when the terminal's encoding has it, ``-`` otherwise."""
    encoding = getattr(stream if stream is not None else sys.stdout, "encoding", None) or "ascii"
    try:
        "\u2022".encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return "-"
    return "\u2022"


def shorten(title: str, width: int) -> str:
    """``title`` on one line of at most ``width`` columns (``…`` when cut)."""
    title = " ".join(str(title).split())
    if display_width(title) <= width:
        return title
    out = ""
    for char in title:
        if display_width(out + char) > width - 1:
            break
        out += char
    return out.rstrip() + "\u2026"


def choice_titles(buttons: Sequence[Dict[str, Any]], width: int) -> List[str]:
    """``1: Title`` for each button, each short enough for one line."""
    return [
        shorten(f"{index}: {button.get('title') or button.get('payload') or ''}", width - CHOICE_MARGIN)
        for index, button in enumerate(buttons, start=1)
    ]


def button_value(button: Dict[str, Any]) -> str:
    """What picking a button sends: its payload, else its title."""
    return str(button.get("payload") or button.get("title") or "")


def render_reply(reply: Dict[str, Any], width: int, bullet: str = "\u2022", list_buttons: bool = True) -> str:
    """One bot message as the shell prints it: the whole text, then anything else it carries.

    ``list_buttons``: buttons as a numbered list (for a message whose buttons
    are not the ones offered as choices).
    """
    parts: List[str] = []
    if isinstance(reply.get("text"), str) and reply["text"].strip():
        parts.append(to_plain(reply["text"], width, bullet))
    if reply.get("image"):
        parts.append(f"Image: {reply['image']}")
    if reply.get("attachment"):
        parts.append(f"Attachment: {reply['attachment']}")
    buttons = reply.get("buttons") or []
    if buttons and list_buttons:
        parts.append("\n".join(choice_titles(buttons, width + CHOICE_MARGIN)))
    if reply.get("custom") is not None:
        import json

        parts.append("Custom json:\n" + json.dumps(reply["custom"], indent=2, ensure_ascii=False))
    return "\n".join(parts)


def apology_reply() -> List[Dict[str, Any]]:
    from bot.channels.rest import APOLOGY

    return [{"text": APOLOGY}]


async def exchange(
    server_url: str, auth_token: str, sender_id: str, message: str, request_timeout: Optional[int] = None
) -> List[Dict[str, Any]]:
    """Send one message to the server's REST webhook; its replies, or the apology.

    The server already apologises for a turn that sends nothing; this covers a
    turn that never comes back (server error, time-out, not JSON). The user's
    text is never logged.
    """
    import aiohttp

    timeout = aiohttp.ClientTimeout(total=request_timeout or DEFAULT_TIMEOUT_SECONDS)
    url = f"{server_url}/webhooks/rest/webhook"
    try:
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.post(
                url,
                params={"token": auth_token} if auth_token else None,
                json={"sender": sender_id, "message": message},
            ) as response,
        ):
            if response.status != 200:
                logger.error("shell: the server answered %s", response.status)
                return apology_reply()
            replies = await response.json(content_type=None)
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
        logger.error("shell: message failed: %s", type(error).__name__)
        return apology_reply()
    replies = [reply for reply in replies if isinstance(reply, dict)] if isinstance(replies, list) else []
    return replies or apology_reply()


def print_replies(replies: Sequence[Dict[str, Any]], width: int) -> List[Dict[str, Any]]:
    """Print every reply in full; the buttons of the last one (to offer as choices)."""
    import rasa.shared.utils.cli
    import rasa.shared.utils.io

    bullet = bullet_for()
    for index, reply in enumerate(replies):
        last = index == len(replies) - 1
        shown = render_reply(reply, width, bullet, list_buttons=not last)
        if shown:
            rasa.shared.utils.cli.print_color(shown, color=rasa.shared.utils.io.bcolors.OKBLUE)
    return list(replies[-1].get("buttons") or []) if replies else []


async def ask(buttons: Sequence[Dict[str, Any]], width: int) -> Optional[str]:
    """The user's next message: a picked button's payload, or typed text (None: Ctrl-D/C)."""
    import questionary
    from prompt_toolkit.styles import Style
    from rasa.cli.utils import FREE_TEXT_INPUT_PROMPT

    if buttons:
        choices = [
            questionary.Choice(title, value=str(index)) for index, title in enumerate(choice_titles(buttons, width))
        ]
        choices.append(questionary.Choice(FREE_TEXT_INPUT_PROMPT, value=FREE_TEXT_INPUT_PROMPT))
        picked = await questionary.select(
            CHOOSE,
            choices,
            style=Style([("qmark", "#6d91d3"), ("", "#6d91d3"), ("answer", "#b373d6")]),
        ).ask_async()
        if picked is None:
            return None
        if picked != FREE_TEXT_INPUT_PROMPT:
            return button_value(buttons[int(picked)])
    typed = await questionary.text(
        "",
        qmark="Your input ->",
        style=Style([("qmark", "#b373d6"), ("", "#b373d6")]),
    ).ask_async()
    return typed.strip() if typed is not None else None


async def record_messages(
    sender_id: str,
    server_url: str = "http://localhost:5005",
    auth_token: str = "",
    max_message_limit: Optional[int] = None,
    use_response_stream: bool = True,
    request_timeout: Optional[int] = None,
) -> int:
    """Read messages from the command line and print the bot's answers in full.

    Same arguments as Rasa's; ``use_response_stream`` is ignored (the project's
    REST channel answers a turn at once, apology included).
    """
    import rasa.shared.utils.cli
    from rasa.core import utils
    from rasa.shared.constants import INTENT_MESSAGE_PREFIX

    exit_text = INTENT_MESSAGE_PREFIX + "stop"
    rasa.shared.utils.cli.print_success(f"Bot loaded. Type a message and press enter (use '{exit_text}' to exit): ")
    num_messages = 0
    await asyncio.sleep(0.5)  # Wait for server to start
    buttons = print_replies(
        await exchange(server_url, auth_token, sender_id, GREETING, request_timeout), terminal_width()
    )
    while not utils.is_limit_reached(num_messages, max_message_limit):
        text = await ask(buttons, terminal_width())
        if text == exit_text or text is None:
            break
        replies = await exchange(server_url, auth_token, sender_id, text, request_timeout)
        buttons = print_replies(replies, terminal_width())
        num_messages += 1
        await asyncio.sleep(0)  # Yield event loop for others coroutines
    return num_messages


def shell_input_class() -> type:
    """The project's REST channel, as the shell's ``cmdline`` channel."""
    from bot.channels.rest import RestInput

    class ShellInput(RestInput):
        """``bot.channels.rest.RestInput`` under the name ``cmdline``, at ``/webhooks/rest/``."""

        @classmethod
        def name(cls) -> str:
            return "cmdline"

        def url_prefix(self) -> str:
            return RestInput.name()

    return ShellInput
