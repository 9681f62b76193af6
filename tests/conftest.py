"""Fixtures shared by every test: the knowledge base, a tracker factory, a
dispatcher, the domain, and (for integration tests) the real running servers."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional

import pytest
import yaml

from bot.knowledge_base import KnowledgeBase, default_knowledge_base
from harness import servers, throwaway

ROOT = Path(__file__).resolve().parents[1]


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stops the throwaway PostgreSQL and Redis this session started, if any (harness/throwaway.py)."""
    throwaway.stop_all()


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return default_knowledge_base()


@pytest.fixture(scope="session")
def domain() -> Dict[str, Any]:
    return yaml.safe_load((ROOT / "domain.yml").read_text())


@pytest.fixture(scope="session")
def talk():
    """talk([(job, intent, text), ...], ctx) -> the outcome of each turn of bot.dialogue.respond, context carried
    over; each message read as production reads it (the real spaCy pipeline, extractor and reader)."""
    from bot.dialogue import Context, Turn, respond
    from bot.nlu.patterns import fuzzy_vocabulary
    from bot.nlu.reading import read_message
    from bot.nlu.spacy_pipeline import build_pipeline

    knowledge = default_knowledge_base()
    nlp, vocabulary = build_pipeline(knowledge), fuzzy_vocabulary(knowledge)

    def run(turns, ctx=Context()):
        outcomes = []
        for job, intent, text in turns:
            outcome = respond(knowledge, job, Turn(intent, tuple(read_message(nlp(text), vocabulary)), text), ctx)
            ctx = outcome.context
            outcomes.append(outcome)
        return outcomes

    return run


@pytest.fixture
def dispatcher():
    from rasa_sdk.executor import CollectingDispatcher

    return CollectingDispatcher()


@pytest.fixture
def tracker() -> Callable[..., Any]:
    """Build a real rasa_sdk Tracker for the latest user message."""
    from rasa_sdk import Tracker

    def make(
        intent: str = "greet",
        entities: Optional[List[Dict[str, Any]]] = None,
        slots: Optional[Dict[str, Any]] = None,
        text: str = "",
    ) -> Tracker:
        from bot.dialogue import SLOTS

        all_slots: Dict[str, Any] = {name: None for name in SLOTS}
        all_slots.update({"awaiting_level": False, "requested_slot": None})
        all_slots.update(slots or {})
        return Tracker(
            sender_id="test-user",
            slots=all_slots,
            latest_message={"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": entities or []},
            events=[],
            paused=False,
            followup_action=None,
            active_loop={},
            latest_action_name="action_listen",
        )

    return make


@pytest.fixture(scope="session")
def live_servers(tmp_path_factory) -> Iterator[Dict[str, servers.Server]]:
    """A real action server and Rasa server (REST + socket.io) for the session."""
    if not servers.MODEL.exists():
        pytest.fail(f"no trained model at {servers.MODEL}: run `make train`")
    workdir = tmp_path_factory.mktemp("servers")
    actions = servers.action_server(workdir).start()
    rasa = servers.rasa_server(workdir, servers.write_endpoints(workdir, actions.port))
    try:
        rasa.start()
        yield {"actions": actions, "rasa": rasa}
    finally:
        rasa.stop()
        actions.stop()


@pytest.fixture(scope="session")
def rest_url(live_servers) -> str:
    return live_servers["rasa"].url + "/webhooks/rest/webhook"
