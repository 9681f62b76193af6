"""Fixtures shared by every test: the knowledge base, a tracker factory, a
dispatcher, the domain, and the real running servers several packages' tests share
(started once per session, each in its own pytest-xdist group: see
:func:`pytest_collection_modifyitems`)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional

import pytest
import yaml

from bot.knowledge_base import KnowledgeBase, default_knowledge_base
from harness import servers, services, stack, throwaway

ROOT = Path(__file__).resolve().parents[1]
# The conversation and corpus summaries (printed by the controller too when pytest-xdist runs the tests).
pytest_plugins = ["tests.conversations.summary"]


# The session fixtures that start servers, shared by tests in several modules. With pytest-xdist
# (`make test`: -n 2 --dist loadgroup) every test that uses one is put in that fixture's group, so
# that one worker starts it once; every other test is grouped by its module (a module's own
# servers are started once too). A test using two of them goes with the first named here.
SHARED_SERVERS = ("channels", "shared", "embedded", "live_servers")
# The groups that take longest, first (measured with --durations on 7 December): a worker is
# never left running one of them alone at the end. The others follow in collection order.
LONGEST_FIRST = (
    "channels",
    "tests/benchmarks/test_soak.py",
    "tests/deploy/test_frontdoor.py",
    "shared",
    "tests/benchmarks/test_run.py",
    "embedded",
    "tests/conversations/test_corpus.py",
    "tests/conversations/test_context.py",
    "tests/storage/test_backup.py",
)


def _group(item: pytest.Item) -> str:
    for name in SHARED_SERVERS:
        if name in getattr(item, "fixturenames", ()):
            return name
    return item.nodeid.split("::", 1)[0]


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist's own hook, which reads the groups
def pytest_collection_modifyitems(config: pytest.Config, items: List[pytest.Item]) -> None:
    groups = {id(item): _group(item) for item in items}
    for item in items:
        item.add_marker(pytest.mark.xdist_group(groups[id(item)]))
    rank = {name: n for n, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(groups[id(item)], len(rank)))  # stable: collection order otherwise


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


@pytest.fixture(scope="session")
def embedded(tmp_path_factory) -> Iterator[stack.Stack]:
    """What `make run` uses (SQLite file, in-memory locks): one Rasa server and the action server."""
    if not servers.MODEL.exists():
        pytest.fail(f"no trained model at {servers.MODEL}: run `make train`")
    workdir = tmp_path_factory.mktemp("embedded")
    db_file = workdir / "conversations.db"
    url = f"sqlite:///{db_file}"
    actions = servers.action_server(workdir, env={"PMO_DATABASE_URL": url})
    actions.env.pop("SANIC_HOST", None)  # the default (actions/__init__.py) must bind 127.0.0.1
    endpoints = servers.write_endpoints(
        workdir, actions.port, stack.TRACKER_STORE.format(db=db_file), stack.LOCK_STORE.format(extra="")
    )
    rasa = servers.rasa_server(workdir, endpoints)  # no PMO_DATABASE_URL: the `db` file, as in make run
    running = stack.Stack(workdir, url, actions, [rasa])
    try:
        actions.start()
        rasa.start()
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
def shared(tmp_path_factory) -> Iterator[stack.Stack]:
    """The scale-out deployment: two Rasa replicas (one with two Sanic workers and the HTTP API
    behind a token, one without API) and the action server, sharing a fresh PostgreSQL database
    and Redis locks. PostgreSQL or Redis missing is a failure, not a skip.

    The PostgreSQL is one of the session's own (harness/throwaway.py, ``own_postgres``):
    tests/deploy/test_scale_out.py restarts it, which must not disturb the tests another
    pytest worker runs meanwhile on the machine's.
    """
    try:
        throwaway.own_postgres()
    except throwaway.ServiceError as error:
        pytest.fail(f"PostgreSQL is required for the scale-out tests: {error}", pytrace=False)
    services.require_postgres()
    services.require_redis()
    if not servers.MODEL.exists():
        pytest.fail(f"no trained model at {servers.MODEL}: run `make train`")
    workdir = tmp_path_factory.mktemp("shared")
    with services.fresh_database("pmo_scale") as url:
        env = {"PMO_DATABASE_URL": url, "PMO_REDIS_URL": services.REDIS_URL}
        actions = servers.action_server(workdir, env=env)
        prefix = "pmo" + uuid.uuid4().hex[:8]
        endpoints = servers.write_endpoints(
            workdir,
            actions.port,
            stack.TRACKER_STORE.format(db="unused.db"),
            stack.LOCK_STORE.format(extra=f"  key_prefix: {prefix}\n"),
            name="endpoints-shared.yml",
        )
        with_api = stack.replica(workdir, endpoints, {**env, "SANIC_WORKERS": "2", "RASA_AUTH_TOKEN": stack.TOKEN})
        without_api = stack.replica(workdir, endpoints, env)
        running = stack.Stack(workdir, url, actions, [with_api, without_api])
        try:
            actions.start()
            # one at a time: each loads TensorFlow and the model, and there are two cores
            with_api.start()
            stack.wait_for_workers(with_api, 2)
            without_api.start()
            yield running
        finally:
            running.stop()
