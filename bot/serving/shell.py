"""``python -m bot.serving shell ...``: the patch that gives ``rasa shell`` the project's channel.

:func:`apply` replaces two things in Rasa, after checking they are what it expects
(it raises :class:`ShellPatchError` at start, never halfway through a chat):
``console.record_messages`` (what ``rasa.core.run`` runs for the ``cmdline`` channel) by
:func:`bot.channels.shell.record_messages`, which prints whole answers at the terminal's width
with the buttons as numbered choices, and the ``cmdline`` input channel by
:func:`bot.channels.shell.shell_input_class`, the project's REST channel under that name.
"""

from __future__ import annotations

import inspect
from typing import Any, Dict, List

from bot.channels.shell import record_messages, shell_input_class

# The parameters of the function replaced, in order, as Rasa 3.6.21 has them.
RECORD_MESSAGES_PARAMETERS = (
    "sender_id",
    "server_url",
    "auth_token",
    "max_message_limit",
    "use_response_stream",
    "request_timeout",
)

_applied: List[str] = []


class ShellPatchError(RuntimeError):
    """The installed Rasa is not shaped as this patch expects."""


def check(console: Any, run: Any, channels: Dict[str, Any]) -> None:
    """Raise :class:`ShellPatchError` unless Rasa is shaped as this patch expects."""
    problems = []
    original = getattr(console, "record_messages", None)
    if not inspect.iscoroutinefunction(original):
        problems.append("rasa.core.channels.console.record_messages is not an async function")
    else:
        names = tuple(inspect.signature(original).parameters)
        if names != RECORD_MESSAGES_PARAMETERS:
            problems.append(
                f"rasa.core.channels.console.record_messages{names} is not "
                f"record_messages{RECORD_MESSAGES_PARAMETERS}"
            )
    try:
        calls_it = getattr(run, "console", None) is console and "console.record_messages(" in inspect.getsource(
            run.configure_app
        )
    except (OSError, TypeError, AttributeError):
        calls_it = False
    if not calls_it:
        problems.append("rasa.core.run.configure_app no longer calls console.record_messages")
    cmdline = channels.get("cmdline")
    if cmdline is None or getattr(cmdline, "__name__", "") != "CmdlineInput" or cmdline.name() != "cmdline":
        problems.append("rasa.core.channels.BUILTIN_CHANNELS['cmdline'] is not Rasa's CmdlineInput")
    elif cmdline.url_prefix(cmdline()) != "rest":
        problems.append("Rasa's CmdlineInput no longer answers at /webhooks/rest/")
    if problems:
        raise ShellPatchError(
            "the rasa shell patch (bot/serving/shell.py) does not fit the installed Rasa: " + "; ".join(problems)
        )


def apply() -> List[str]:
    """Install the shell's printing and channel once (checked first); returns what was installed."""
    if _applied:
        return list(_applied)
    import rasa.core.channels.console as console
    import rasa.core.run as run
    from rasa.core.channels import BUILTIN_CHANNELS

    check(console, run, BUILTIN_CHANNELS)
    from bot.serving import originals

    originals["console.record_messages"] = console.record_messages
    originals["BUILTIN_CHANNELS['cmdline']"] = BUILTIN_CHANNELS["cmdline"]
    console.record_messages = record_messages
    BUILTIN_CHANNELS["cmdline"] = shell_input_class()
    _applied.extend(["shell prints whole answers", "shell uses the project's REST channel"])
    return list(_applied)
