"""A real server with low rate limits and the production body cap (bot/channels/limits.py, body.py)."""

import asyncio
import uuid

import pytest
import requests

from bot.channels.limits import SLOW_DOWN
from harness import servers, socketio_client

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def limited_url(tmp_path_factory):
    if not servers.MODEL.exists():
        pytest.fail(f"no trained model at {servers.MODEL}: run `make train`")
    workdir = tmp_path_factory.mktemp("limited")
    actions = servers.action_server(workdir).start()
    rasa = servers.rasa_server(
        workdir,
        servers.write_endpoints(workdir, actions.port),
        env={
            "PMO_RATE_LIMIT_PER_SENDER": "3/60",
            "PMO_RATE_LIMIT_PER_ADDRESS": "8/60",
            "PMO_MAX_BODY_BYTES": "65536",
            "PMO_TRUSTED_PROXIES": "",
        },
    )
    try:
        rasa.start()
        yield rasa.url + "/webhooks/rest/webhook"  # socket.io at rasa.url
    finally:
        rasa.stop()
        actions.stop()


def say(url, sender, text="hi", **kwargs):
    return requests.post(url, json={"sender": sender, "message": text}, timeout=30, **kwargs)


def test_a_flooding_sender_is_asked_to_slow_down_and_others_are_answered(limited_url):
    flooder, other = uuid.uuid4().hex, uuid.uuid4().hex
    for _ in range(3):
        assert say(limited_url, flooder).status_code == 200
    refused = say(limited_url, flooder, "what does a pmo analyst do?")
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    body = refused.json()
    assert body["error"] == "too many messages; slow down"
    assert body["messages"] == [{"recipient_id": flooder, "text": SLOW_DOWN}]
    answered = say(limited_url, other, "what does a pmo analyst do?")
    assert answered.status_code == 200 and "PMO Analyst" in answered.json()[0]["text"]


def test_the_address_limit_covers_many_senders_and_a_forged_forwarded_for(limited_url):
    # 5 messages so far from this address in the module (3 + 1 refused + 1); the limit is 8 a minute
    statuses = [
        say(limited_url, uuid.uuid4().hex, headers={"X-Forwarded-For": f"198.51.100.{i}"}).status_code for i in range(4)
    ]
    assert statuses == [200, 200, 200, 429]  # 127.0.0.1 is no trusted proxy: the header changes nothing


def test_a_body_over_the_cap_gets_413(limited_url):
    response = requests.post(limited_url, json={"sender": "big", "message": "x" * 70_000}, timeout=30)
    assert response.status_code == 413
    assert response.json() == {"error": "body must be at most 65536 bytes"}
    chunked = requests.post(
        limited_url,
        data=iter([b'{"sender": "big", "message": "', b"y" * 70_000, b'"}']),
        headers={"Content-Type": "application/json"},
        timeout=30,
    )  # no Content-Length
    assert chunked.status_code == 413


def test_socketio_visitor_gets_a_polite_slow_down_instead_of_a_turn(limited_url):
    # socket.io has its own counters: the REST messages above do not count here
    url, session = limited_url.split("/webhooks/")[0], uuid.uuid4().hex
    replies = [asyncio.run(socketio_client.converse(url, session, "hi")) for _ in range(4)]
    assert all(r and r[0]["text"] != SLOW_DOWN for r in replies[:3]), replies
    assert replies[3] == [{"text": SLOW_DOWN}]
