"""What every answer shares: the reply type, quick-reply payloads and small wording helpers."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Dict, List, Optional, Sequence, Tuple

from bot.knowledge_base import KnowledgeBase, Role
from bot.text import spelling_variants

Button = Dict[str, str]


# A first answer should fit a small chat window without scrolling.
FIRST_REPLY_CHARS = 350


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: List[Button] = field(default_factory=list)
    # What the reply is about ("role:PMO Analyst", "decline:salary"...): read by
    # tests and the beyond-the-catalogue evaluation, never shown to the user.
    kind: str = ""


def payload(intent: str, **entities: str) -> str:
    """A quick-reply payload Rasa parses without NLU: ``/intent{"role": "..."}``."""
    return f"/{intent}{json.dumps(entities)}" if entities else f"/{intent}"


def button(title: str, intent: str, **entities: str) -> Button:
    return {"title": title, "payload": payload(intent, **entities)}


def article(phrase: str) -> str:
    return "an" if phrase[:1].lower() in "aeiou" else "a"


def join(items: Sequence[str], last: str = "and") -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {last} " + items[-1]


def capitalised(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:]


_ACRONYMS = {"PMO", "PMOS", "IT", "HR", "PM", "BA", "EPMO", "PMI", "APM", "CAPM", "PMP", "MSP", "MOP", "P3O"}


def in_sentence(title: str) -> str:
    """A job title inside a sentence: lower case, acronyms kept ("a PMO tools administrator")."""
    return " ".join(
        w if w.upper() in _ACRONYMS or (w.startswith("e") and w[1:].upper() == "PMO") else w.lower()
        for w in title.split()
    )


def sentence(text: str) -> str:
    """Capital first letter, full stop at the end (no change to the rest)."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def roles_by_level(kb: KnowledgeBase) -> List[Role]:
    return sorted(kb.roles, key=lambda r: r.level)


@lru_cache(maxsize=8)
def _canonical_titles(titles: Tuple[str, ...]) -> Dict[str, str]:
    return {variant: title for title in titles for variant in spelling_variants(title)}


def canonical_title(kb: KnowledgeBase, typed: str) -> Optional[str]:
    """The knowledge base's spelling of a title the user typed ("pmo planner" -> "PMO Planner")."""
    titles = tuple(t for role in kb.roles for t in [role.name, *role.titles])
    key = " ".join(typed.lower().split())
    exact = next((t for t in titles if t.lower() == key), None)
    return exact or _canonical_titles(titles).get(key)


def ebook_line(kb: KnowledgeBase) -> str:
    ebook = next((r for r in kb.free_resources if "ebook" in (r.kind or "").lower()), None)
    if ebook is None:
        return ""
    return f'The free eBook "{ebook.name}" is a good first read ({kb.contact.website}).'


def pmo_roles_line(kb: KnowledgeBase) -> str:
    return "The four PMO roles are " + join([r.name for r in roles_by_level(kb)]) + "."


def all_role_buttons(kb: KnowledgeBase) -> List[Button]:
    return [button(r.name, "ask_role_description", role=r.name) for r in roles_by_level(kb)]


def way_back() -> List[Button]:
    """The buttons after an answer that could not help: the main questions, and what the bot can do."""
    return [
        button("PMO roles explained", "ask_role_description"),
        button("Which course is right for me?", "ask_course_recommendation"),
        button("What can you do?", "ask_capabilities"),
    ]
