"""Microsoft Teams, end to end: activities signed with a key pair made here,
keys served by a local OpenID/JWKS stub, replies captured on a local stub
``serviceUrl`` (the Bot Connector API).

Over 300 lines: one Teams server, many checks through it.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from pathlib import Path
from typing import Any, Dict, Optional

import pytest
import requests
from jwt.algorithms import RSAAlgorithm

from bot.channels.teams import AuthError, bot_added, card_action, hero_card, user_text, validate_token
from bot.knowledge_base import default_knowledge_base
from bot.render import to_teams
from bot.settings import teams_app
from harness.stubs import Recorded
from tests.channels.conftest import (
    ACCESS_TOKEN,
    APP_ID,
    APP_PASSWORD,
    ISSUER,
    KEY_ID,
    TENANT_ID,
    Stack,
    Teams,
    make_token,
    new_key,
)

pytestmark = pytest.mark.slow

QUESTION = "what does a PMO analyst do?"
COURSE = "P3O Foundation"
ABOUT_COURSE = f"tell me about {COURSE}"
OPEN_BOOK = "is it open book?"


def activity(
    teams: Teams, conversation: str, text: str = "", value: Any = None, service_url: Optional[str] = None
) -> Dict[str, Any]:
    body = {
        "type": "message",
        "id": f"act-{uuid.uuid4().hex[:8]}",
        "channelId": "msteams",
        "timestamp": "2026-11-28T10:00:00.000Z",
        "serviceUrl": service_url or teams.service_url,
        "from": {"id": f"29:{conversation}-user", "name": "Test User", "aadObjectId": str(uuid.uuid4())},
        "conversation": {"id": f"a:{conversation};messageid=1", "conversationType": "personal", "tenantId": TENANT_ID},
        "recipient": {"id": f"28:{APP_ID}", "name": "PMO Learning"},
        "text": text,
        "textFormat": "plain",
        "locale": "en-GB",
        "channelData": {"tenant": {"id": TENANT_ID}},
    }
    if value is not None:
        body["value"] = value
    return body


def send(stack: Stack, body: Dict[str, Any], token: Optional[str]) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.post(stack.teams_webhook, json=body, headers=headers, timeout=30)


def activities_in(conversation: str):
    """Everything the bot posted to the conversation: replies and typing indicators."""
    prefix = f"/service/v3/conversations/a:{conversation};messageid=1/activities"
    return lambda r: r.method == "POST" and r.path.startswith(prefix)


def replies_in(conversation: str):
    posted = activities_in(conversation)
    return lambda r: posted(r) and r.json.get("type") == "message"


def said(reply: Recorded) -> str:
    """The text of a reply: with buttons too, the answer is the message's text."""
    return reply.json["text"]


def new_conversation() -> str:
    return uuid.uuid4().hex[:12]


def drawn(replies) -> list:
    """What Teams should show for the REST channel's replies (as text, with or without buttons)."""
    return [to_teams(e["text"]) for e in replies]


def test_keys_are_fetched_lazily_not_at_start(channels: Stack):
    assert channels.teams.key_fetches_at_start == 0


def test_valid_activity_gets_the_whole_answer_with_clickable_buttons(channels: Stack):
    say = channels.rest_conversation()
    expected = say(QUESTION)
    *_, answer = expected
    assert answer.get("buttons"), f"expected an answer with buttons, the REST channel said {expected}"
    teams, conversation = channels.teams, new_conversation()
    message = activity(teams, conversation, f"<at>PMO Learning</at> {QUESTION}")
    response = send(channels, message, teams.token())
    assert response.status_code == 200, response.text
    *earlier, reply = teams.stub.wait_for(replies_in(conversation), len(expected))
    assert [r.json["text"] for r in earlier] == [to_teams(e["text"]) for e in expected[:-1]]
    assert all(r.json["textFormat"] == "markdown" for r in earlier)
    # a reply to the user's activity, with the bot's own token from its tenant
    assert reply.path.endswith("/activities/" + message["id"])
    assert reply.headers["authorization"] == f"Bearer {ACCESS_TOKEN}"
    body = reply.json
    assert body["type"] == "message" and body["replyToId"] == message["id"]
    assert body["conversation"]["id"] == message["conversation"]["id"]
    assert body["recipient"] == {"id": message["from"]["id"]}
    [card] = body["attachments"]
    assert card["contentType"] == "application/vnd.microsoft.card.hero"
    # the whole answer is the message's text (notification previews, screen readers); the card holds the buttons
    assert body["text"] == to_teams(answer["text"]) and body["textFormat"] == "markdown"
    assert "text" not in card["content"]
    assert [(b["type"], b["title"], b["text"]) for b in card["content"]["buttons"]] == [
        ("messageBack", button["title"], button["payload"]) for button in answer["buttons"]
    ]
    assert all(b["displayText"] == b["title"] for b in card["content"]["buttons"])
    [token_request] = teams.stub.received(lambda r: r.path.endswith("/oauth2/v2.0/token"))
    assert token_request.path == f"/{TENANT_ID}/oauth2/v2.0/token"
    assert token_request.form == {
        "grant_type": "client_credentials",
        "client_id": APP_ID,
        "client_secret": APP_PASSWORD,
        "scope": "https://api.botframework.com/.default",
    }
    channels.assert_not_logged(QUESTION)

    # Teams sends a messageBack click as a message whose text is the button's text
    button = card["content"]["buttons"][1]
    then = say(button["text"])
    click = activity(teams, conversation, button["text"], value=button["value"])
    assert send(channels, click, teams.token()).status_code == 200
    replies = teams.stub.wait_for(replies_in(conversation), len(expected) + len(then))[len(expected) :]
    assert [said(r) for r in replies] == drawn(then)


def test_a_follow_up_leans_on_the_conversation(channels: Stack):
    """A course, then "is it open book?" about that course (its exam is closed book)."""
    exam = default_knowledge_base().course_named(COURSE).exam
    assert "closed book" in exam
    say = channels.rest_conversation()
    about, answer = say(ABOUT_COURSE), say(OPEN_BOOK)
    teams, conversation = channels.teams, new_conversation()
    assert send(channels, activity(teams, conversation, ABOUT_COURSE), teams.token()).status_code == 200
    first = teams.stub.wait_for(replies_in(conversation), len(about))
    assert [said(r) for r in first] == drawn(about)
    assert (
        send(channels, activity(teams, conversation, f"<at>PMO Learning</at> {OPEN_BOOK}"), teams.token()).status_code
        == 200
    )
    replies = teams.stub.wait_for(replies_in(conversation), len(about) + len(answer))[len(about) :]
    assert [said(r) for r in replies] == drawn(answer)
    text = said(replies[-1])
    assert COURSE in text and "closed book" in text
    channels.assert_not_logged(ABOUT_COURSE, OPEN_BOOK)


def test_a_typing_indicator_goes_before_each_reply(channels: Stack):
    expected = channels.rest_conversation()(QUESTION)
    teams, conversation = channels.teams, new_conversation()
    assert send(channels, activity(teams, conversation, QUESTION), teams.token()).status_code == 200
    teams.stub.wait_for(replies_in(conversation), len(expected))
    posted = [r.json for r in teams.stub.received(activities_in(conversation))]
    assert [a["type"] for a in posted] == ["typing", "message"] * len(expected)
    typing = posted[0]
    assert typing["conversation"]["id"].startswith(f"a:{conversation}") and typing["from"]["id"] == f"28:{APP_ID}"
    assert "text" not in typing and "attachments" not in typing


def conversation_update(teams: Teams, conversation: str, scope: str, added: list) -> Dict[str, Any]:
    update = activity(teams, conversation)
    update.update({"type": "conversationUpdate", "membersAdded": [{"id": member} for member in added]})
    update["conversation"]["conversationType"] = scope
    if scope == "channel":
        update["channelData"]["team"] = {"id": f"19:{conversation}@thread.tacv2"}
    for field in ("text", "textFormat"):
        update.pop(field)
    return update


@pytest.mark.parametrize("scope", ["personal", "channel", "groupChat"])
def test_the_bot_added_to_a_chat_or_team_posts_the_welcome(channels: Stack, scope: str):
    *_, greeting = channels.rest_conversation()("hello")
    assert greeting.get("buttons"), "the greeting offers the main options"
    teams, conversation = channels.teams, new_conversation()
    bot = f"28:{APP_ID}"
    assert (
        send(channels, conversation_update(teams, conversation, scope, ["29:a-person", bot]), teams.token()).status_code
        == 200
    )
    [welcome] = teams.stub.wait_for(replies_in(conversation))
    assert welcome.path == f"/service/v3/conversations/a:{conversation};messageid=1/activities"  # a new message
    body = welcome.json
    assert "replyToId" not in body
    assert body["text"] == to_teams(greeting["text"])
    [card] = body["attachments"]
    assert [(b["type"], b["title"], b["text"]) for b in card["content"]["buttons"]] == [
        ("messageBack", b["title"], b["payload"]) for b in greeting["buttons"]
    ]
    # someone else joining later gets nothing
    assert (
        send(
            channels, conversation_update(teams, conversation, scope, ["29:another-person"]), teams.token()
        ).status_code
        == 200
    )
    time.sleep(0.5)
    assert len(teams.stub.received(replies_in(conversation))) == 1


def refused_token(teams: Teams, how: str) -> Optional[str]:
    hour = 3600
    if how == "forged":  # right key id, someone else's key
        return teams.token(key=teams.forger)
    if how == "expired":
        return teams.token(exp=int(time.time()) - hour, iat=int(time.time()) - 2 * hour, nbf=None)
    if how == "wrong audience":
        return teams.token(aud="some-other-bot")
    if how == "wrong issuer":
        return teams.token(iss="https://login.evil.example")
    if how == "no issuer":
        return teams.token(iss=None)
    if how == "no expiry":
        return teams.token(exp=None)
    if how == "wrong serviceUrl claim":
        return teams.token(serviceurl="https://evil.example/service/")
    if how == "HS256":  # algorithm pinned to RS256
        return teams.token(key="a-shared-secret-long-enough-for-hs256!", algorithm="HS256")
    if how == "unknown key":
        return teams.token(key=new_key(), kid="another-key")
    if how == "not yet valid":
        return teams.token(nbf=int(time.time()) + hour)
    if how == "no token":
        return None
    raise ValueError(how)


@pytest.mark.parametrize(
    "how",
    [
        "forged",
        "expired",
        "wrong audience",
        "wrong issuer",
        "no issuer",
        "no expiry",
        "wrong serviceUrl claim",
        "HS256",
        "unknown key",
        "not yet valid",
        "no token",
    ],
)
def test_refused_tokens_get_401_and_no_reply(channels: Stack, how: str):
    teams, conversation = channels.teams, new_conversation()
    response = send(channels, activity(teams, conversation, QUESTION), refused_token(teams, how))
    assert response.status_code == 401
    # a genuine activity afterwards is answered, and it is the only reply
    assert send(channels, activity(teams, conversation, "hello"), teams.token()).status_code == 200
    teams.stub.wait_for(replies_in(conversation))
    time.sleep(0.5)
    assert len(teams.stub.received(replies_in(conversation))) == 1


def test_activity_serviceurl_must_match_the_token(channels: Stack):
    teams, conversation = channels.teams, new_conversation()
    # a valid token for our stub, but the activity asks us to reply elsewhere
    elsewhere = activity(teams, conversation, QUESTION, service_url="http://127.0.0.1:9/service/")
    assert send(channels, elsewhere, teams.token()).status_code == 401


def test_key_that_does_not_endorse_the_channel_is_refused(channels: Stack):
    teams, conversation = channels.teams, new_conversation()
    message = activity(teams, conversation, QUESTION)
    message["channelId"] = "slack"
    assert send(channels, message, teams.token()).status_code == 401


def test_non_message_activities_are_accepted_silently(channels: Stack):
    teams, conversation = channels.teams, new_conversation()
    update = activity(teams, conversation)
    update["type"] = "conversationUpdate"
    assert send(channels, update, teams.token()).status_code == 200
    assert requests.post(channels.teams_webhook, data=b"[]", timeout=10).status_code == 400


# Pure parts: settings, buttons, text.


def test_settings_single_and_multi_tenant():
    single = teams_app(
        {
            "MICROSOFT_APP_ID": "a",
            "MICROSOFT_APP_PASSWORD": "p",
            "MICROSOFT_APP_TYPE": "SingleTenant",
            "MICROSOFT_APP_TENANT_ID": "t1",
        }
    )
    assert single.enabled and single.token_url == "https://login.microsoftonline.com/t1/oauth2/v2.0/token"
    multi = teams_app({"MICROSOFT_APP_ID": "a", "MICROSOFT_APP_PASSWORD": "p", "MICROSOFT_APP_TYPE": "MultiTenant"})
    assert multi.token_url == "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token"
    assert multi.openid_url == "https://login.botframework.com/v1/.well-known/openidconfiguration"
    assert multi.issuers == (ISSUER,)
    assert teams_app({"MICROSOFT_APP_TENANT_ID": "t2"}).tenant_id == "t2"  # a tenant implies single-tenant
    assert not teams_app({}).enabled
    with pytest.raises(ValueError, match="needs MICROSOFT_APP_TENANT_ID"):
        teams_app({"MICROSOFT_APP_TYPE": "SingleTenant"})
    with pytest.raises(ValueError, match="SingleTenant or MultiTenant"):
        teams_app({"MICROSOFT_APP_TYPE": "UserAssignedMSI"})


@pytest.mark.parametrize(
    "button,action",
    [
        (
            {"title": "Career path", "payload": '/ask_career_path{"role": "PMO Analyst"}'},
            {
                "type": "messageBack",
                "title": "Career path",
                "displayText": "Career path",
                "text": '/ask_career_path{"role": "PMO Analyst"}',
                "value": {"payload": '/ask_career_path{"role": "PMO Analyst"}'},
            },
        ),
        ({"title": "Yes", "payload": "yes please"}, {"type": "imBack", "title": "Yes", "value": "yes please"}),
        (
            {"title": "Website", "url": "https://www.pmolearning.co.uk"},
            {"type": "openUrl", "title": "Website", "value": "https://www.pmolearning.co.uk"},
        ),
    ],
)
def test_card_actions(button, action):
    assert card_action(button) == action


@pytest.mark.parametrize(
    "activity_fields,text",
    [
        ({"text": "<at>PMO Learning</at> hi"}, "hi"),
        ({"text": "", "value": {"payload": "/greet"}}, "/greet"),
        ({"text": "x" * 6000}, "x" * 5000),
    ],
)
def test_user_text(activity_fields, text):
    assert user_text(activity_fields) == text


def test_validate_token_pins_rs256_and_checks_claims():
    key = new_key()
    keys = {KEY_ID: {**json.loads(RSAAlgorithm.to_jwk(key.public_key())), "kid": KEY_ID}}
    settings = teams_app({"MICROSOFT_APP_ID": APP_ID, "MICROSOFT_APP_PASSWORD": "p"})
    service = "https://smba.example/emea/"
    good = make_token(key, service)
    assert validate_token(good, keys, settings, service.rstrip("/"), "msteams")["aud"] == APP_ID
    header = base64.urlsafe_b64encode(b'{"alg":"none","kid":"test-key"}').rstrip(b"=").decode()
    with pytest.raises(AuthError, match="RS256"):
        validate_token(f"{header}.{good.split('.')[1]}.", keys, settings, service, "msteams")
    with pytest.raises(AuthError, match="serviceUrl"):
        validate_token(make_token(key, None), keys, settings, service, "msteams")
    with pytest.raises(AuthError, match="malformed"):
        validate_token("not.a.token", keys, settings, service, "msteams")


def test_hero_card_holds_the_buttons():
    card = hero_card([{"title": "Career path", "payload": "/ask_career_path"}])
    assert card == {
        "contentType": "application/vnd.microsoft.card.hero",
        "content": {"buttons": [card_action({"title": "Career path", "payload": "/ask_career_path"})]},
    }


@pytest.mark.parametrize(
    "added,expected",
    [
        ([{"id": f"28:{APP_ID}"}], True),
        ([{"id": "29:someone"}, {"id": f"28:{APP_ID}"}], True),
        ([{"id": "29:someone"}], False),
        ([], False),
        (None, False),
    ],
)
def test_bot_added(added, expected):
    update = {"type": "conversationUpdate", "recipient": {"id": f"28:{APP_ID}"}}
    if added is not None:
        update["membersAdded"] = added
    assert bot_added(update) is expected
    assert not bot_added({**update, "type": "message"})


def manifest_commands() -> list:
    manifest = json.loads((Path(__file__).resolve().parents[2] / "docs" / "teams" / "manifest.json").read_text())
    [commands] = manifest["bots"][0]["commandLists"]
    return [c["title"] for c in commands["commands"]]


@pytest.mark.parametrize("title", manifest_commands())
def test_a_command_from_the_teams_menu_gets_the_answer_its_button_gets(channels: Stack, title: str):
    """Teams sends a picked command as its title: it must mean what the greeting's button means."""
    *_, greeting = channels.rest_conversation()("hello")
    [button] = [b for b in greeting["buttons"] if b["title"] == title]
    expected = channels.rest_conversation()(button["payload"])
    teams, conversation = channels.teams, new_conversation()
    assert (
        send(channels, activity(teams, conversation, f"<at>PMO Learning</at> {title}"), teams.token()).status_code
        == 200
    )
    replies = teams.stub.wait_for(replies_in(conversation), len(expected))
    assert [said(r) for r in replies] == drawn(expected)


@pytest.mark.parametrize(
    "activity,ok",
    [
        ({"type": "message", "serviceUrl": "https://smba.example/", "from": {"id": "29:a"}, "text": "hi"}, True),
        (
            {"type": "message", "serviceUrl": "https://smba.example/", "from": [5.2e16]},
            False,
        ),  # found by fuzzing: a 500
        ({"type": "message", "serviceUrl": "https://smba.example/", "conversation": "a:1"}, False),
        ({"type": "message", "serviceUrl": "https://smba.example/", "text": ["hi"]}, False),
        ({"type": 5, "serviceUrl": "https://smba.example/"}, False),
        ({"type": "message"}, False),
        (["not", "an", "activity"], False),
    ],
)
def test_activities_of_the_wrong_shape_are_refused(activity, ok):
    from bot.channels.teams import well_formed

    assert well_formed(activity) is ok
