"""Hostile input over REST against the running replicas (hypothesis).

Every example is a batch of messages sent at once on parallel lanes (one
conversation per lane, so no conversation gets two messages at a time), to
both replicas. After each batch the lanes' slots are read back from the
tracker store (PostgreSQL) and must all hold values the assistant could have
set itself; the token-protected HTTP API is checked to agree at the end.
At least 2,700 requests are sent in total by `make bench-fuzz`, 470 by `make test`
(harness/fuzzing.py). The test servers run the production body cap (64 KB,
bot/channels/body.py): a body over it must get a 413 with a reason, one under it a
real answer (hostile text) or a 400 with a reason (malformed JSON).
"""

from __future__ import annotations

import itertools
import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List, Tuple, Union

import pytest
import requests
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import enquiries
from bot.channels.body import DEFAULT_MAX_BODY_BYTES
from bot.channels.rest import APOLOGY, TURN_HEADER
from bot.enquiries import Rejected
from bot.knowledge_base import default_knowledge_base
from harness import fuzzing
from harness.stack import replayed_slots, say, slots
from tests.support.hostile import hostile, json_values

pytestmark = pytest.mark.slow

LANES = 8
# Batches of each test; make bench-fuzz sends 245 and 100 (harness/fuzzing.py), at least 2,700 requests.
HOSTILE_BATCHES = fuzzing.size(245, 40)
MALFORMED_BATCHES = fuzzing.size(100, 20)
MIN_REQUESTS = fuzzing.size(2700, 470)
RUN = uuid.uuid4().hex[:8]
SENT = {"requests": 0}
TURNS: List[Any] = []  # X-PMO-Turn of each reply of the current batch, in order
# REST turns any failure into a 200 with the apology, so each reply's X-PMO-Turn header says how
# the turn went: "answered", "empty" (worked, said nothing, e.g. /restart: the apology is sent so
# the user is never left without a reply) or "failed". No hostile input may fail a turn.
REPLIES = {"answered": 0, "empty": 0, "failed": 0, "too large (413)": 0}
SIZES: List[int] = []  # the body size of each request of the current batch, in bytes
TIMES = {"requests": 0.0, "checks": 0.0}
ENGINES: Dict[str, Any] = {}
Body = Union[bytes, Dict[str, Any]]
malformed = st.one_of(
    st.binary(max_size=200),
    st.sampled_from(
        [
            b"",
            b"null",
            b"[]",
            b"[1, 2]",
            b"42",
            b'"text"',
            b"{",
            b'{"sender": }',
            b"\xff\xfe\x00",
            b'{"message": "hi"}',
            b'{"sender": null, "message": "hi"}',
            b'{"sender": true, "message": "x"}',
            b'{"sender": "a", "message": 5}',
            b'{"sender": "a", "message": ["x"]}',
            b'{"sender": "a", "message": "x", "metadata": "nope"}',
            b'{"sender": "", "message": "x"}',
            b"[" * 5000 + b"]" * 5000,
            b'{"a":' * 3000 + b"1" + b"}" * 3000,
        ]
    ),
    st.builds(
        lambda v: json.dumps({"sender": v, "message": "hi"}).encode(),
        json_values.filter(lambda v: not isinstance(v, (str, int)) or isinstance(v, bool)),
    ),
    # refused, never cut or stored: over-long sender ids, oversized metadata
    st.builds(
        lambda n: json.dumps({"sender": "s" * n, "message": "hi"}).encode(),
        st.integers(min_value=129, max_value=100_000),
    ),
    st.builds(
        lambda n: json.dumps({"sender": "s", "message": "hi", "metadata": {"blob": "x" * n}}).encode(),
        st.integers(min_value=4_100, max_value=2_000_000),
    ),
)


def valid_slots(values: Dict[str, Any]) -> List[str]:
    """The slots holding something the assistant itself would never set."""
    kb = default_knowledge_base()
    courses = {c.name for c in kb.courses}

    def passes(check, value):  # a stored answer must pass the check that let it in
        return value is None or (isinstance(value, str) and not isinstance(check(value), Rejected))

    rules = {
        "awaiting_level": lambda v: v in (None, True, False),
        "pmo_level": lambda v: v in (None, 1.0, 2.0, 3.0, 4.0),
        "recommended_course": lambda v: v is None or v in courses,
        "enquiry_topic": lambda v: v in (None, enquiries.IN_HOUSE, enquiries.BOOKING),
        "enquiry_name": lambda v: passes(enquiries.check_name, v),
        "enquiry_email": lambda v: v is None or enquiries.check_email(str(v)) == v,
        "enquiry_organisation": lambda v: passes(enquiries.check_organisation, v),
        "enquiry_interest": lambda v: passes(enquiries.check_interest, v),
        "enquiry_team_size": lambda v: v in (None, enquiries.TEAM_SIZE_NOT_GIVEN)
        or (isinstance(v, str) and v.isdigit() and 1 <= int(v) <= enquiries.MAX_TEAM_SIZE),
        "enquiry_consent": lambda v: v in (None, True, False),
        "requested_slot": lambda v: v is None or v in enquiries.ASKED_SLOTS or v == "enquiry_consent",
    }
    return [f"{name}={values.get(name)!r}" for name, ok in rules.items() if not ok(values.get(name))]


def stored_slots(database_url: str, senders: List[str]) -> Dict[str, Dict[str, Any]]:
    """Each conversation's slots as stored: its events read from PostgreSQL and replayed
    the way Rasa replays them (so "/back" and "/restart" undo what they undo)."""
    engine = ENGINES.setdefault(database_url, sa.create_engine(database_url))
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT sender_id, data FROM events WHERE sender_id IN :senders ORDER BY id").bindparams(
                sa.bindparam("senders", expanding=True)
            ),
            {"senders": senders},
        ).all()
    events: Dict[str, List[Dict[str, Any]]] = {s: [] for s in senders}
    for sender, data in rows:
        events[sender].append(json.loads(data))
    return {sender: replayed_slots(sender, evts) for sender, evts in events.items()}


def lane_sender(lane: int, batch: int) -> str:
    return f"fuzz-{RUN}-{lane}-{batch // 25}"  # 25 turns per conversation, so state builds up


@pytest.fixture(scope="module")
def batches():
    return itertools.count()


def send_batch(shared, batch: int, bodies: List[Tuple[int, Body]]) -> List[Tuple[Body, int, Any]]:
    def post(item):
        lane, body = item
        replica = shared.replicas[(lane + batch) % 2]
        url = replica.url + "/webhooks/rest/webhook"
        if isinstance(body, bytes):
            response = requests.post(url, data=body, headers={"Content-Type": "application/json"}, timeout=120)
        else:
            response = requests.post(url, json=body, timeout=120)
        try:
            payload = response.json()
        except ValueError:
            payload = response.text
        size = len(body) if isinstance(body, bytes) else len(json.dumps(body).encode())
        return body, response.status_code, payload, response.headers.get(TURN_HEADER), size

    started = time.monotonic()
    with ThreadPoolExecutor(LANES) as pool:
        replies = list(pool.map(post, bodies))
    TURNS[:] = [reply[3] for reply in replies]
    results = [(body, status, payload) for body, status, payload, _, _ in replies]
    SIZES[:] = [reply[4] for reply in replies]
    TIMES["requests"] += time.monotonic() - started
    SENT["requests"] += len(results)
    return results


@settings(
    max_examples=HOSTILE_BATCHES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
        HealthCheck.large_base_example,
    ],
)
@given(
    messages=st.lists(hostile, min_size=LANES, max_size=LANES),
    metadata=st.none() | st.dictionaries(st.text(max_size=5), json_values, max_size=2),
)
def test_hostile_messages_get_polite_replies_and_never_bad_slots(shared, batches, messages, metadata):
    batch = next(batches)
    bodies = [
        (lane, {"sender": lane_sender(lane, batch), "message": text, **({"metadata": metadata} if metadata else {})})
        for lane, text in enumerate(messages)
    ]
    failed = []
    results = send_batch(shared, batch, bodies)
    for (body, status, payload), turn, size in zip(results, TURNS, SIZES):
        if size > DEFAULT_MAX_BODY_BYTES:
            assert status == 413 and isinstance(payload, dict) and payload.get("error"), (size, status, payload)
            REPLIES["too large (413)"] += 1
            continue
        assert status == 200, (status, body["message"][:200], payload)
        assert isinstance(payload, list) and payload, (body["message"][:200], payload)
        assert all(isinstance(m, dict) and (m.get("text") or "").strip() for m in payload), payload
        assert not any("Traceback" in (m.get("text") or "") for m in payload)
        assert turn in REPLIES, turn
        REPLIES[turn] += 1
        apology = any(m.get("text") == APOLOGY for m in payload)
        assert apology == (turn != "answered"), (turn, payload)
        if turn == "failed":
            failed.append(body["message"][:200])
    assert not failed, ("failed turns (the apology) for", failed)
    started = time.monotonic()
    current = stored_slots(shared.database_url, [lane_sender(lane, batch) for lane in range(LANES)])
    for sender, values in current.items():
        bad = valid_slots(values)
        assert not bad, (sender, bad)
    TIMES["checks"] += time.monotonic() - started


@settings(
    max_examples=MALFORMED_BATCHES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)
@given(bodies=st.lists(malformed, min_size=LANES, max_size=LANES))
def test_malformed_bodies_get_a_400_with_a_reason(shared, batches, bodies):
    batch = next(batches)
    for (body, status, payload), size in zip(send_batch(shared, batch, list(enumerate(bodies))), SIZES):
        assert status == (413 if size > DEFAULT_MAX_BODY_BYTES else 400), (body[:100], size, status, payload)
        assert isinstance(payload, dict) and payload.get("error"), payload


def test_enough_requests_and_both_replicas_still_answer(shared):
    print(
        f"\n{SENT['requests']} requests in {TIMES['requests']:.0f}s, slot checks {TIMES['checks']:.0f}s; "
        f"hostile messages: {REPLIES['answered']} answered, {REPLIES['empty']} worked but said nothing "
        f"(the apology sent), {REPLIES['failed']} failed, {REPLIES['too large (413)']} refused as too large"
    )
    assert REPLIES["failed"] == 0 and REPLIES["answered"] > 0.85 * sum(REPLIES.values()), REPLIES
    assert SENT["requests"] >= MIN_REQUESTS, SENT
    for replica in shared.replicas:
        assert replica.process.poll() is None, f"{replica.name} died; see {replica.log}"
        turn = say(replica, uuid.uuid4().hex, "what does a pmo analyst do?")
        assert turn.status == 200 and "PMO Analyst" in turn.texts[0]
    # the API view of a fuzzed conversation agrees with the stored one
    sender = lane_sender(0, 0)
    assert not valid_slots(slots(shared.replicas[0], sender))
    for engine in ENGINES.values():
        engine.dispose()
