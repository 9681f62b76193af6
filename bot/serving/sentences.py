"""Behaviour: a chatty message is understood by its question (:mod:`bot.nlu.sentences` decides).

:func:`install` wraps ``MessageProcessor._parse_message_with_graph`` (called from
``python -m bot.serving``) so that each sentence can be parsed on its own; which
reading wins is :func:`bot.nlu.sentences.focus`'s to say, not this module's.
"""

from __future__ import annotations

import copy
from typing import Any

from bot.nlu.sentences import Parse, focus

NAME = "chatty messages understood by their question"


def install() -> None:
    """Wrap Rasa's graph parse with :func:`focus` (checked like every bot.serving patch)."""
    from rasa.core.processor import MessageProcessor

    from bot.serving.patching import expect_function, originals, replace

    original = expect_function(
        "chatty messages understood by their question",
        MessageProcessor,
        "_parse_message_with_graph",
        ("self", "message", "tracker", "only_output_properties"),
        is_async=False,
    )
    originals["MessageProcessor._parse_message_with_graph"] = original

    def _parse_message_with_graph(self: Any, message: Any, tracker: Any, only_output_properties: bool = True) -> Parse:
        whole = original(self, message, tracker, only_output_properties)

        def parse_sentence(text: str) -> Parse:
            part = copy.copy(message)
            part.text = text
            parsed: Parse = original(self, part, tracker, only_output_properties)
            return parsed

        return focus(whole, parse_sentence)

    replace(MessageProcessor, "_parse_message_with_graph", _parse_message_with_graph)
