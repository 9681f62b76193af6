"""No visitor text in the server's log, whatever its form.

Rasa reads a message starting with ``/`` as a command (``/intent@confidence{entities}``)
before NLU, and when the command is not one it knows it says so, quoting the message:
``Failed to parse arguments in line '/... my phone is ...'`` (a Python warning, on
standard error) or the structured event ``message.parsing.failed`` with the text as
``user_text``. Either way a visitor's words, which may be personal data, reach the
log; the message itself is then understood as ordinary text, as it should be.

:func:`install` stops both in this process: those warnings are not shown, and every
structured log event has its text-bearing fields (Rasa's own list of keys that may
hold what a user wrote) replaced by ``[not logged]``. Each channel's ``blueprint``
calls it, so it is in force in any server that runs one of this project's channels,
before the first message; calling it again changes nothing.
"""

from __future__ import annotations

import logging
import warnings
from typing import Any, MutableMapping

logger = logging.getLogger(__name__)

# Every one of Rasa's warnings about a "/..." message starts so, and quotes the whole line.
SLASH_WARNING = r"Failed to parse arguments in line"
WITHHELD = "[not logged]"
# The keys Rasa itself treats as possibly holding what a user wrote (rasa.utils.log_utils),
# and the ones its structured warnings use for a message.
TEXT_KEYS = frozenset(
    {
        "text",
        "response_text",
        "user_text",
        "slot_values",
        "parse_data_text",
        "parse_data_entities",
        "prediction_events",
        "tracker_latest_message",
        "prefilled_slots",
        "message",
        "response",
        "slot_candidates",
        "rasa_event",
        "rasa_events",
        "tracker_states",
        "current_states",
        "old_states",
        "successes",
        "current_entity",
        "next_entity",
        "states",
        "entity",
        "token_text",
        "user_message",
        "json_message",
    }
)


def withhold_text(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """A structlog processor: the fields that may hold a visitor's words are replaced."""
    for key in TEXT_KEYS.intersection(event_dict):
        event_dict[key] = WITHHELD
    return event_dict


def install() -> None:
    """Keep visitor text out of this process's log (idempotent)."""
    warnings.filterwarnings("ignore", message=SLASH_WARNING)
    try:
        import structlog
    except ImportError:  # Rasa 3.6 depends on it; nothing to do without it
        return
    processors = structlog.get_config()["processors"]
    # The very list the configured (and already cached) loggers run through: first in line.
    if withhold_text not in processors:
        processors.insert(0, withhold_text)
