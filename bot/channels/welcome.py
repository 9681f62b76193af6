"""The welcome and main options Slack and Teams show before anyone says anything.

They are the assistant's greeting (``utter_greet`` in ``domain.yml``, read from the
loaded model's domain), so the App Home, the first direct message and the Teams
welcome card say what the bot says to "hello" and offer the same buttons.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

logger = logging.getLogger(__name__)

GREETING = "utter_greet"


@dataclass(frozen=True)
class Welcome:
    text: str
    buttons: Tuple[Dict[str, Any], ...]

    @property
    def button_list(self) -> List[Dict[str, Any]]:
        return [dict(b) for b in self.buttons]


def welcome_from_responses(responses: Dict[str, List[Dict[str, Any]]], channel: str) -> Optional[Welcome]:
    """The greeting's first variation for ``channel`` (or for any channel), with its buttons."""
    variations = [v for v in responses.get(GREETING) or [] if isinstance(v, dict) and v.get("text")]
    for variation in sorted(variations, key=lambda v: v.get("channel") != channel):
        if variation.get("channel") in (None, channel):
            buttons = tuple(dict(b) for b in variation.get("buttons") or [] if isinstance(b, dict))
            return Welcome(str(variation["text"]), buttons)
    return None


def welcome_for(app: Any, channel: str) -> Optional[Welcome]:
    """The welcome from the Rasa server's loaded model, or None while no model is loaded."""
    agent = getattr(getattr(app, "ctx", None), "agent", None)
    domain = getattr(agent, "domain", None)
    responses = getattr(domain, "responses", None)
    if not isinstance(responses, dict):
        logger.warning("%s welcome skipped: no model loaded yet", channel)
        return None
    return welcome_from_responses(responses, channel)
