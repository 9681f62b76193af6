"""What a notification says: the enquiry and the conversation's gist, frozen when it is queued.

Built from plain data (the stored enquiry and Rasa's event dicts), so the text
the team receives does not depend on what the conversation or the settings
become later. Visitor text is flattened to one line here (:func:`one_line`).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import timezone
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from bot.storage.enquiry_store import StoredEnquiry
from bot.text import plain_text

MAX_ASKED = 5
MAX_ASKED_CHARS = 200
FORM = "enquiry_form"


def one_line(text: object, limit: int = 300) -> str:
    """Visitor text with no control characters (so no CR/LF), on one line, at most ``limit`` characters."""
    flat = plain_text(str(text or ""))
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


@dataclass(frozen=True)
class Gist:
    """What the visitor asked before the enquiry, and what the assistant recommended."""

    asked: Tuple[str, ...] = ()
    recommended: Optional[str] = None


def gist_from_events(
    events: Sequence[Mapping[str, Any]], recommended: Optional[str] = None, limit: int = MAX_ASKED
) -> Gist:
    """The last ``limit`` questions typed before the enquiry form opened (buttons and form answers left out)."""
    opened = [i for i, e in enumerate(events) if e.get("event") == "active_loop" and e.get("name") == FORM]
    before_form = events[: opened[-1]] if opened else events  # the answers to the form are in the details
    asked: List[str] = []
    for event in before_form:
        if event.get("event") == "user":
            text = one_line(event.get("text"), MAX_ASKED_CHARS)
            if text and not text.startswith("/"):
                asked.append(text)
    return Gist(asked=tuple(asked[-limit:]), recommended=one_line(recommended) or None)


@dataclass(frozen=True)
class EnquiryNote:
    """Everything the team is told about one enquiry."""

    reference: str
    created_at: str  # ISO 8601, UTC
    conversation_id: str
    name: str
    email: str
    organisation: str
    team_size: Optional[int]
    interest: str
    asked: Tuple[str, ...] = field(default=())
    recommended: Optional[str] = None

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "EnquiryNote":
        data: Dict[str, Any] = json.loads(text)
        data["asked"] = tuple(data.get("asked") or ())
        return cls(**data)


def note_for(stored: StoredEnquiry, gist: Gist) -> EnquiryNote:
    return EnquiryNote(
        reference=stored.reference,
        created_at=stored.created_at.astimezone(timezone.utc).isoformat(),
        conversation_id=stored.conversation_id,
        name=stored.name,
        email=stored.email,
        organisation=stored.organisation,
        team_size=stored.team_size,
        interest=stored.interest,
        asked=gist.asked,
        recommended=gist.recommended,
    )
