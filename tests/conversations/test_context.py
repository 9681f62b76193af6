"""Multi-turn conversations against the real servers, over REST (issue 9).

``conversations.yml`` beside this file holds the conversations: written apart
from ``data/`` and the training stories, the way visitors type. Each one runs
with its own sender id against a real action server and Rasa server started for
this module, one turn at a time; the first turn whose reply misses a check
fails the test with the whole transcript so far.

Checks per turn (all case-insensitive, on the turn's reply texts joined with
new lines, or on its buttons):

- ``expect``: every substring appears;
- ``expect_any``: at least one appears;
- ``not``: none appears;
- ``order``: all appear, each after the end of the one before;
- ``buttons``: each item matches some button of the turn's replies (title or
  payload); an item that is itself a list must match one single button with
  all of its substrings (e.g. ``[ask_role_description, attribute]``);
- and always: no fallback or apology ("didn't quite understand", ...) unless
  the turn sets ``allow_decline: true``; never the channel's error apology.

The cheap checks at the end (no servers) make sure the file is well formed and
that no user turn is a sentence of the training data.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List, Sequence, Set

import pytest
import requests
import yaml

from benchmarks.corpus import reply_buttons, reply_text
from harness import servers

pytestmark = pytest.mark.slow

HERE = Path(__file__).resolve().parent
CONVERSATIONS_FILE = HERE / "conversations.yml"
MIN_CONVERSATIONS = 45
MIN_TURNS, MAX_TURNS = 3, 6
CHECK_KEYS = ("expect", "expect_any", "order")
TURN_KEYS = {"user", "expect", "expect_any", "not", "buttons", "order", "allow_decline"}

# The assistant's fallback and "can't help" replies: a failure unless the turn
# expects a polite decline (allow_decline: true).
FALLBACKS = ("didn't quite understand", "outside what i can help", "something went wrong", "having trouble")
# The REST channel's apology when a turn produced nothing (action server down,
# an exception): always a failure.
ERRORS = ("problem on my side", "traceback")

REQUEST_TIMEOUT = 60


def load_conversations() -> List[Dict[str, Any]]:
    data = yaml.safe_load(CONVERSATIONS_FILE.read_text(encoding="utf-8"))
    return list(data["conversations"])


CONVERSATIONS = load_conversations()


# ---------------------------------------------------------------- the servers


@pytest.fixture(scope="module")
def conversation_url(tmp_path_factory) -> Iterator[str]:
    """A real action server and Rasa server for this module; yields the REST webhook URL."""
    if not servers.MODEL.exists():
        pytest.fail(f"no trained model at {servers.MODEL}: run `make train`")
    workdir = tmp_path_factory.mktemp("conversations")
    # Any enquiry stored by mistake goes to this module's own database, never the developer's.
    actions = servers.action_server(workdir, env={"PMO_DATABASE_URL": f"sqlite:///{workdir / 'enquiries.db'}"})
    actions.start()
    try:
        rasa = servers.rasa_server(workdir, servers.write_endpoints(workdir, actions.port))
        try:
            rasa.start(timeout=300)
            yield rasa.url + "/webhooks/rest/webhook"
        finally:
            rasa.stop()
    finally:
        actions.stop()


# ---------------------------------------------------------------- checking one turn


def _norm(text: str) -> str:
    """Lower case, with typographic apostrophes and dashes made plain."""
    return text.lower().replace("\u2019", "'").replace("\u2018", "'").replace("\u2011", "-").replace("\u2010", "-")


def _button_matches(button: Dict[str, str], wanted: Any) -> bool:
    haystack = _norm(f"{button['title']}\n{button['payload']}")
    parts = wanted if isinstance(wanted, list) else [wanted]
    return all(_norm(str(p)) in haystack for p in parts)


def _in_order(text: str, items: Sequence[str]) -> bool:
    position = 0
    for item in items:
        found = text.find(_norm(item), position)
        if found < 0:
            return False
        position = found + len(item)
    return True


def turn_problems(turn: Dict[str, Any], messages: Sequence[Dict[str, Any]]) -> List[str]:
    """Every check of ``turn`` that the reply ``messages`` fails, in words."""
    text = _norm(reply_text(messages))
    buttons = reply_buttons(messages)
    problems = []
    if not messages or not text.strip():
        problems.append("no reply text")
    for phrase in turn.get("expect") or []:
        if _norm(phrase) not in text:
            problems.append(f"expected {phrase!r}")
    any_of = turn.get("expect_any") or []
    if any_of and not any(_norm(p) in text for p in any_of):
        problems.append(f"expected at least one of {any_of!r}")
    for phrase in turn.get("not") or []:
        if _norm(phrase) in text:
            problems.append(f"must not say {phrase!r}")
    order = turn.get("order") or []
    if order and not _in_order(text, order):
        problems.append(f"expected in this order: {order!r}")
    for wanted in turn.get("buttons") or []:
        if not any(_button_matches(b, wanted) for b in buttons):
            problems.append(f"expected a button with {wanted!r}")
    for phrase in ERRORS:
        if phrase in text:
            problems.append(f"error reply ({phrase!r})")
    if not turn.get("allow_decline"):
        for phrase in FALLBACKS:
            if phrase in text:
                problems.append(f"fallback or decline ({phrase!r}) where an answer was expected")
    return problems


def render(transcript: Sequence[Dict[str, Any]]) -> str:
    lines = []
    for number, step in enumerate(transcript, 1):
        lines.append(f"  [{number}] user: {step['user']}")
        if step.get("error"):
            lines.append(f"      !!  {step['error']}")
        for message in step.get("messages") or []:
            for line in str(message.get("text") or "").splitlines() or [""]:
                lines.append(f"      bot: {line}")
            for button in message.get("buttons") or []:
                lines.append(f"      [button] {button.get('title')!s} -> {button.get('payload')!s}")
    return "\n".join(lines)


# ---------------------------------------------------------------- one test per conversation


@pytest.mark.parametrize("conversation", CONVERSATIONS, ids=[c["name"] for c in CONVERSATIONS])
def test_conversation(conversation: Dict[str, Any], conversation_url: str, record_property) -> None:
    sender = f"ctx-{uuid.uuid4().hex}"
    turns = conversation["turns"]
    transcript: List[Dict[str, Any]] = []
    passed = 0
    try:
        for number, turn in enumerate(turns, 1):
            step: Dict[str, Any] = {"user": turn["user"], "messages": []}
            transcript.append(step)
            try:
                response = requests.post(
                    conversation_url, json={"sender": sender, "message": turn["user"]}, timeout=REQUEST_TIMEOUT
                )
            except requests.RequestException as exc:
                step["error"] = f"request failed: {type(exc).__name__}: {exc}"
            else:
                if response.status_code != 200:
                    step["error"] = f"HTTP {response.status_code}: {response.text[:300]}"
            if step.get("error"):
                pytest.fail(
                    f"{conversation['name']!r}, turn {number}: {step['error']}\n{render(transcript)}", pytrace=False
                )
            step["messages"] = messages = response.json()
            problems = turn_problems(turn, messages)
            if problems:
                pytest.fail(
                    f"{conversation['name']!r}, turn {number} of {len(turns)} ({turn['user']!r}):\n  - "
                    + "\n  - ".join(problems)
                    + f"\nTranscript so far (sender {sender}):\n{render(transcript)}",
                    pytrace=False,
                )
            passed += 1
    finally:
        record_property("conversation_turns", len(turns))
        record_property("conversation_turns_passed", passed)


# ---------------------------------------------------------------- the file itself (no servers)


def _plain(text: str) -> str:
    """Lower-cased, punctuation removed, whitespace collapsed."""
    return " ".join(re.sub(r"[^\w\s]", "", text.lower()).split())


_ANNOTATION = re.compile(r"\[([^\]]+)\](\{[^}]*\}|\([^)]*\))")


def training_sentences(root: Path) -> Set[str]:
    """Every example and user turn in ``data/**/*.yml``, plain (entity annotations dropped)."""
    found: Set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "examples" and isinstance(value, str):
                    for line in value.splitlines():
                        line = line.strip()
                        if line.startswith("- "):
                            found.add(_plain(_ANNOTATION.sub(r"\1", line[2:])))
                elif key == "user" and isinstance(value, str):
                    found.add(_plain(_ANNOTATION.sub(r"\1", value)))
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for path in sorted((root / "data").rglob("*.yml")):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    found.discard("")
    return found


def _strings(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, str) and v.strip() for v in value)


def test_conversation_file_is_well_formed() -> None:
    assert len(CONVERSATIONS) >= MIN_CONVERSATIONS, f"{len(CONVERSATIONS)} conversations, need {MIN_CONVERSATIONS}"
    names = [c.get("name") for c in CONVERSATIONS]
    assert all(isinstance(n, str) and n.strip() for n in names), "every conversation needs a name"
    assert len(set(names)) == len(names), sorted(n for n in names if names.count(n) > 1)
    problems = []
    for conversation in CONVERSATIONS:
        name, turns = conversation["name"], conversation.get("turns") or []
        if not MIN_TURNS <= len(turns) <= MAX_TURNS:
            problems.append(f"{name}: {len(turns)} turns (want {MIN_TURNS}-{MAX_TURNS})")
        for number, turn in enumerate(turns, 1):
            where = f"{name}, turn {number}"
            if not isinstance(turn.get("user"), str) or not turn["user"].strip():
                problems.append(f"{where}: no user text")
            if set(turn) - TURN_KEYS:
                problems.append(f"{where}: unknown keys {sorted(set(turn) - TURN_KEYS)}")
            if not any(turn.get(key) for key in CHECK_KEYS):
                problems.append(f"{where}: needs at least one of {', '.join(CHECK_KEYS)}")
            for key in ("expect", "expect_any", "not", "order"):
                if key in turn and not _strings(turn[key]):
                    problems.append(f"{where}: {key} must be a non-empty list of strings")
            for item in turn.get("buttons", []) or []:
                if not (isinstance(item, str) and item.strip()) and not _strings(item):
                    problems.append(f"{where}: each button check is a string or a list of strings")
            if "buttons" in turn and not isinstance(turn["buttons"], list):
                problems.append(f"{where}: buttons must be a list")
            if "allow_decline" in turn and not isinstance(turn["allow_decline"], bool):
                problems.append(f"{where}: allow_decline must be true or false")
    assert not problems, "\n".join(problems)


def test_user_turns_are_not_training_sentences() -> None:
    training = training_sentences(servers.ROOT)
    assert training, "no training sentences found under data/"
    clashes = sorted({turn["user"] for c in CONVERSATIONS for turn in c["turns"] if _plain(turn["user"]) in training})
    assert not clashes, "user turns that are training sentences (rephrase them):\n" + "\n".join(clashes)
