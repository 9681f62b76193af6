"""Hostile input over the widget's socket.io, Slack and Teams (hypothesis), against the real server.

The REST fuzzing (tests/deploy/test_fuzz.py) reads each turn's outcome from a header;
these channels answer asynchronously, so a turn that failed shows as the apology arriving
(every channel sends it when a turn fails: bot.channels.rest.APOLOGY). Each example is a
batch of messages, one per lane (a lane is one conversation), sent together; the test then
waits until every lane has its reply. It fails on any apology the input did not deserve
(only a forged ``/command`` may legitimately get one, or no reply at all: ``/restart`` says
nothing, and the widget apologises for an empty turn), on a lane left without any reply, and on
the server dying.
Payloads with the wrong shape (socket.io events with other types, Slack and Teams bodies
missing fields) must be refused or ignored, never crash anything. The counts are printed.

Over 300 lines: three channels' payload builders, strategies and checks.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Dict, List, Optional

import pytest
import requests
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from harness import fuzzing
from harness.stubs import Recorded
from tests.channels.conftest import APP_ID, SLACK_SECRET, TENANT_ID, Stack
from tests.support.hostile import MARKUP, SQL, WORDS, forged, is_command, json_values

pytestmark = pytest.mark.slow

LANES = 16  # conversations at once: the server, not the lanes, is the bottleneck
# Batches of hostile messages per channel; make bench-fuzz sends 40 (harness/fuzzing.py).
HOSTILE_BATCHES = fuzzing.size(40, 12)
MIN_INPUTS = fuzzing.size(750, 225)  # per channel
RUN = uuid.uuid4().hex[:6]
APOLOGY_MARK = "problem on my side"
# No shrinking: a failure is reported as found (shrinking batches against a live server takes minutes).
SETTINGS = dict(
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
        HealthCheck.large_base_example,
    ],
)
# Counts per channel: inputs sent, refused at the door (4xx), answered, apologies (unexpected ones fail).
COUNTS: Dict[str, Dict[str, int]] = {
    name: {"inputs": 0, "refused": 0, "answered": 0, "apologies": 0} for name in ("socket.io", "slack", "teams")
}

# Texts people and scripts send through a chat client: shorter than the REST fuzzing's (a Slack
# message is at most 40,000 characters), with control characters, injections and forged commands.
texts = st.one_of(
    st.text(max_size=300),
    st.text(st.characters(whitelist_categories=("Cc", "Cf", "Zl", "Zp", "Co", "Mn")), min_size=1, max_size=60),
    st.builds(lambda a, b, c: a + b + c, st.sampled_from(WORDS), st.text(max_size=20), st.sampled_from(SQL + MARKUP)),
    st.builds(
        lambda unit, n: unit * n,
        st.sampled_from(["a", "é", "🙂", "<b>", "\u202e", "*_~`"]),
        st.integers(min_value=500, max_value=6_000),
    ),
    st.sampled_from(SQL + MARKUP + ["<@U0BOT>", "<!channel>", "<https://x.example|click>", "&amp;&lt;"]),
    forged,
)


def lane_id(channel: str, lane: int) -> str:
    return f"fz{RUN}{channel}{lane}"


def record(channel: str, sent: List[str], replies: List[List[str]]) -> None:
    """Tally one batch; every lane must have had a reply, and no undeserved apology."""
    counts = COUNTS[channel]
    for text, said in zip(sent, replies, strict=True):
        counts["inputs"] += 1
        assert said or is_command(text), f"{channel}: no reply at all to {text[:120]!r}"
        assert not any("Traceback" in s for s in said), said
        apologised = any(APOLOGY_MARK in s for s in said)
        counts["apologies" if apologised else "answered"] += 1
        assert not apologised or is_command(text), f"{channel}: apology for {text[:120]!r}: {said}"


# ---- socket.io ---------------------------------------------------------------------------------


async def socket_batch(
    url: str,
    sessions: List[str],
    events: List[Any],
    malformed: bool = False,
    settle: float = 0.2,
    timeout: float = 30.0,
) -> List[List[str]]:
    """One client per lane: send its event, collect bot_uttered texts until the lane goes quiet.

    A ``malformed`` event is dropped by the server without a reply; the same socket must then
    still answer a real message.
    """
    import socketio

    async def lane(session_id: str, event: Any) -> List[str]:
        client = socketio.AsyncClient(reconnection=False)
        said: List[str] = []
        confirmed, replied = asyncio.Event(), asyncio.Event()
        last = [time.monotonic()]

        @client.on("session_confirm")
        async def on_confirm(_: Any) -> None:
            confirmed.set()

        @client.on("bot_uttered")
        async def on_reply(data: Dict[str, Any]) -> None:
            said.append(str(data.get("text") or "") if isinstance(data, dict) else str(data))
            last[0] = time.monotonic()
            replied.set()

        await client.connect(url, transports=["websocket"], wait_timeout=timeout)
        try:
            await client.emit("session_request", {"session_id": session_id})
            await asyncio.wait_for(confirmed.wait(), timeout)
            await client.emit("user_uttered", event)
            if not malformed:
                await asyncio.wait_for(replied.wait(), timeout)
                while time.monotonic() - last[0] < settle:
                    await asyncio.sleep(0.05)
            else:  # a malformed event is dropped; the same socket must still answer a real message
                await asyncio.sleep(0.05)
                await client.emit("user_uttered", {"message": "hi", "session_id": session_id})
                await asyncio.wait_for(replied.wait(), timeout)
            return said
        finally:
            await client.disconnect()

    return list(await asyncio.gather(*(lane(s, e) for s, e in zip(sessions, events, strict=True))))


malformed_socket_events = st.one_of(
    json_values,
    st.builds(lambda v: {"message": v}, json_values.filter(lambda v: not isinstance(v, str))),
    st.builds(lambda v: {"message": "hi", "session_id": v}, json_values.filter(lambda v: not isinstance(v, str))),
    st.builds(lambda n: {"message": "hi", "session_id": "s" * n}, st.integers(min_value=200, max_value=5_000)),
)


@settings(max_examples=HOSTILE_BATCHES, **SETTINGS)
@given(
    messages=st.lists(texts, min_size=LANES, max_size=LANES), metadata=st.none() | json_values | st.text(max_size=50)
)
def test_socketio_hostile_messages(channels: Stack, messages: List[str], metadata: Any):
    sessions = [lane_id("sio", lane) for lane in range(LANES)]
    events = [
        {"message": text, "session_id": s, **({"customData": metadata} if metadata is not None else {})}
        for text, s in zip(messages, sessions)
    ]
    record("socket.io", messages, asyncio.run(socket_batch(channels.rasa_url, sessions, events)))


@settings(max_examples=8, **SETTINGS)
@given(events=st.lists(malformed_socket_events, min_size=LANES, max_size=LANES))
def test_socketio_malformed_events_are_dropped(channels: Stack, events: List[Any]):
    sessions = [lane_id("siobad", lane) for lane in range(LANES)]
    for said in asyncio.run(socket_batch(channels.rasa_url, sessions, events, malformed=True)):
        COUNTS["socket.io"]["inputs"] += 1
        COUNTS["socket.io"]["refused"] += 1
        assert said and not any(APOLOGY_MARK in s for s in said), said  # only the follow-up "hi" was answered


# ---- Slack -------------------------------------------------------------------------------------


def slack_post(stack: Stack, body: bytes) -> requests.Response:
    timestamp = str(int(time.time()))
    signature = "v0=" + hmac.new(SLACK_SECRET.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()
    return requests.post(
        stack.slack_webhook,
        data=body,
        timeout=30,
        headers={
            "Content-Type": "application/json",
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": signature,
        },
    )


def slack_event(text: Any, channel: str, user: str, **extra: Any) -> Dict[str, Any]:
    ts = f"{time.time():.6f}"
    event = {
        "type": "message",
        "channel": channel,
        "channel_type": "im",
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "client_msg_id": str(uuid.uuid4()),
        **extra,
    }
    return {
        "token": "unused",
        "team_id": "T0TEAM",
        "api_app_id": "A0APP",
        "type": "event_callback",
        "event_id": f"Ev{uuid.uuid4().hex[:12]}",
        "event_time": int(time.time()),
        "authorizations": [{"team_id": "T0TEAM", "user_id": "U0BOT", "is_bot": True}],
        "event": event,
    }


def slack_said(request: Recorded) -> str:
    body = request.json
    return json.dumps(body.get("blocks") or "") + str(body.get("text") or "")


def wait_quiet(count: Callable[[], int], at_least: int, settle: float = 0.2, timeout: float = 40.0) -> None:
    """Wait until ``count()`` reaches ``at_least`` and then stops growing for ``settle`` s."""
    deadline, seen, since = time.monotonic() + timeout, -1, time.monotonic()
    while time.monotonic() < deadline:
        now = count()
        if now != seen:
            seen, since = now, time.monotonic()
        elif now >= at_least and time.monotonic() - since >= settle:
            return
        time.sleep(0.05)


def posted(
    stub_requests: Callable[[Callable[[Recorded], bool]], List[Recorded]],
    key: Callable[[Recorded], str],
    lanes: List[str],
    since: int,
) -> List[List[Recorded]]:
    found = stub_requests(lambda r: True)[since:]
    return [[r for r in found if key(r) == lane] for lane in lanes]


@settings(max_examples=HOSTILE_BATCHES, **SETTINGS)
@given(messages=st.lists(texts, min_size=LANES, max_size=LANES))
def test_slack_hostile_messages(channels: Stack, messages: List[str]):
    lanes = [f"D{lane_id('s', lane).upper()}" for lane in range(LANES)]
    since = len(channels.slack.received())
    with ThreadPoolExecutor(LANES) as pool:
        statuses = list(
            pool.map(
                lambda pair: slack_post(
                    channels, json.dumps(slack_event(pair[0], pair[1], f"U{pair[1][1:]}")).encode()
                ).status_code,
                zip(messages, lanes),
            )
        )
    expected = [status == 200 and text.strip() != "" for text, status in zip(messages, statuses)]
    for text, status in zip(messages, statuses):
        assert status in (200, 413), (status, text[:100])
        if status == 413:
            COUNTS["slack"]["refused"] += 1
    COUNTS["slack"]["inputs"] += sum(1 for e in expected if not e)  # refused (413) or blank: no turn to read

    # a forged command may get no reply at all: wait for every other lane, then briefly for any more
    owed = [e and not is_command(text) for text, e in zip(messages, expected)]

    def replies() -> int:
        return sum(1 for lane, o in zip(posted(channels.slack.received, channel_of, lanes, since), owed) if lane and o)

    wait_quiet(replies, sum(owed))
    per_lane = posted(channels.slack.received, channel_of, lanes, since)
    answered = [(t, [slack_said(r) for r in said]) for t, said, e in zip(messages, per_lane, expected) if e]
    record("slack", [t for t, _ in answered], [s for _, s in answered])


def channel_of(request: Recorded) -> str:
    body = request.json if request.path.endswith("chat.postMessage") else {}
    return str(body.get("channel") or "") if isinstance(body, dict) else ""


@settings(max_examples=8, **SETTINGS)
@given(
    payloads=st.lists(
        st.one_of(
            json_values.map(lambda v: {"type": "event_callback", "event_id": f"Ev{uuid.uuid4().hex}", "event": v}),
            st.builds(
                lambda text, kind: slack_event(text, "DFUZZBAD", "UFUZZBAD", subtype=kind),
                json_values,
                st.sampled_from(["bot_message", "message_changed", None, "file_share"]),
            ),
            st.builds(lambda v: {**slack_event("hi", "DFUZZBAD", "UFUZZBAD"), "type": v}, json_values),
        ),
        min_size=LANES,
        max_size=LANES,
    )
)
def test_slack_malformed_payloads_are_refused_or_ignored(channels: Stack, payloads: List[Any]):
    for payload in payloads:
        response = slack_post(channels, json.dumps(payload).encode())
        COUNTS["slack"]["inputs"] += 1
        COUNTS["slack"]["refused"] += 1
        assert response.status_code in (200, 400), (response.status_code, response.text[:200])
    time.sleep(0.3)
    replies = channels.slack.received(lambda r: channel_of(r) == "DFUZZBAD")
    assert not any(APOLOGY_MARK in slack_said(r) for r in replies)


# ---- Teams -------------------------------------------------------------------------------------


def teams_activity(stack: Stack, conversation: str, text: Any, **extra: Any) -> Dict[str, Any]:
    return {
        "type": "message",
        "id": f"act-{uuid.uuid4().hex[:10]}",
        "channelId": "msteams",
        "timestamp": "2026-11-30T10:00:00.000Z",
        "serviceUrl": stack.teams.service_url,
        "from": {"id": f"29:{conversation}-user", "name": "Fuzz"},
        "conversation": {"id": f"a:{conversation}", "conversationType": "personal", "tenantId": TENANT_ID},
        "recipient": {"id": f"28:{APP_ID}", "name": "PMO Learning"},
        "text": text,
        "textFormat": "plain",
        "locale": "en-GB",
        "channelData": {"tenant": {"id": TENANT_ID}},
        **extra,
    }


def teams_conversation_of(request: Recorded) -> str:
    prefix = "/service/v3/conversations/a:"
    if request.method != "POST" or not request.path.startswith(prefix):
        return ""
    body = request.json
    if not isinstance(body, dict) or body.get("type") != "message":
        return ""  # typing indicators and the like
    return request.path[len(prefix) :].split("/")[0]


def teams_said(request: Recorded) -> str:
    return json.dumps(request.json)


TOKENS: Dict[str, Optional[str]] = {"token": None}


def teams_post(stack: Stack, body: Any) -> requests.Response:
    if TOKENS["token"] is None:
        TOKENS["token"] = stack.teams.token()
    return requests.post(
        stack.teams_webhook, json=body, timeout=30, headers={"Authorization": f"Bearer {TOKENS['token']}"}
    )


@settings(max_examples=HOSTILE_BATCHES, **SETTINGS)
@given(messages=st.lists(texts, min_size=LANES, max_size=LANES))
def test_teams_hostile_messages(channels: Stack, messages: List[str]):
    lanes = [lane_id("t", lane) for lane in range(LANES)]
    since = len(channels.teams.stub.received())
    with ThreadPoolExecutor(LANES) as pool:
        statuses = list(
            pool.map(
                lambda pair: teams_post(channels, teams_activity(channels, pair[1], pair[0])).status_code,
                zip(messages, lanes),
            )
        )
    expected = [status in (200, 201, 202) and text.strip() != "" for text, status in zip(messages, statuses)]
    for text, status in zip(messages, statuses):
        assert status in (200, 201, 202, 413), (status, text[:100])
        if status == 413:
            COUNTS["teams"]["refused"] += 1
    COUNTS["teams"]["inputs"] += sum(1 for e in expected if not e)  # refused (413) or blank: no turn to read

    # a forged command may get no reply at all: wait for every other lane, then briefly for any more
    owed = [e and not is_command(text) for text, e in zip(messages, expected)]

    def replies() -> int:
        return sum(
            1
            for lane, o in zip(posted(channels.teams.stub.received, teams_conversation_of, lanes, since), owed)
            if lane and o
        )

    wait_quiet(replies, sum(owed))
    per_lane = posted(channels.teams.stub.received, teams_conversation_of, lanes, since)
    answered = [(t, [teams_said(r) for r in said]) for t, said, e in zip(messages, per_lane, expected) if e]
    record("teams", [t for t, _ in answered], [s for _, s in answered])


@settings(max_examples=8, **SETTINGS)
@given(
    payloads=st.lists(
        st.one_of(
            json_values,
            st.builds(lambda v: {"type": "message", "text": "hi", "conversation": v}, json_values),
            st.builds(
                lambda v, key: {**teams_activity_stub("tbad"), key: v},
                json_values,
                st.sampled_from(["from", "recipient", "serviceUrl", "channelData", "value", "text", "type", "id"]),
            ),
        ),
        min_size=LANES,
        max_size=LANES,
    )
)
def test_teams_malformed_activities_are_refused_or_ignored(channels: Stack, payloads: List[Any]):
    for payload in payloads:
        if isinstance(payload, dict) and payload.get("serviceUrl") == "SERVICE":
            payload["serviceUrl"] = channels.teams.service_url
        response = teams_post(channels, payload)
        COUNTS["teams"]["inputs"] += 1
        COUNTS["teams"]["refused"] += 1
        assert response.status_code < 500, (response.status_code, str(payload)[:200])
    time.sleep(0.3)
    replies = channels.teams.stub.received(lambda r: teams_conversation_of(r) == "tbad")
    assert not any(APOLOGY_MARK in teams_said(r) for r in replies)


def teams_activity_stub(conversation: str) -> Dict[str, Any]:
    """An activity whose serviceUrl is filled in when sent (strategies are built before the stack)."""
    return {
        "type": "message",
        "id": f"act-{uuid.uuid4().hex[:10]}",
        "channelId": "msteams",
        "serviceUrl": "SERVICE",
        "from": {"id": f"29:{conversation}-user"},
        "conversation": {"id": f"a:{conversation}", "tenantId": TENANT_ID},
        "recipient": {"id": f"28:{APP_ID}"},
        "text": "hi",
        "channelData": {"tenant": {"id": TENANT_ID}},
    }


def test_enough_inputs_and_the_server_still_answers(channels: Stack):
    total = sum(c["inputs"] for c in COUNTS.values())
    print(
        "\nchannel fuzzing: "
        + "; ".join(
            f"{name}: {c['inputs']} inputs, {c['answered']} answered, "
            f"{c['apologies']} apologies (forged commands only), {c['refused']} refused "
            f"or dropped"
            for name, c in COUNTS.items()
        )
    )
    # 768 each when hypothesis runs every example; with the REST fuzzing (2,760) over 5,000 in all
    assert all(c["inputs"] >= MIN_INPUTS for c in COUNTS.values()), COUNTS
    assert total >= 3 * MIN_INPUTS, COUNTS
    reply = requests.post(
        channels.rasa_url + "/webhooks/rest/webhook",
        timeout=60,
        json={"sender": f"after-fuzz-{RUN}", "message": "what does a pmo analyst do?"},
    )
    assert reply.status_code == 200 and "PMO Analyst" in reply.json()[0]["text"]
