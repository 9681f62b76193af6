"""Teams: a single-tenant bot answers its own tenant only, and each activity once.

The server runs as a single-tenant bot (``MICROSOFT_APP_TENANT_ID``). An activity
whose token is genuine in every other way (our key, audience, issuer, serviceUrl)
but that comes from another tenant, by the token's ``tid`` claim or the activity's
own tenant fields, gets a 401 and no reply. An activity sent twice with the same id
(the Bot Framework's retry, or a replay while its token is valid) is answered once.
"""

from __future__ import annotations

import time
from typing import Any, Dict

import pytest

from bot.channels.teams_auth import AuthError, check_tenant
from bot.settings import teams_app
from tests.channels.conftest import APP_ID, TENANT_ID, Stack
from tests.channels.test_teams import activity, conversation_update, new_conversation, replies_in, send

pytestmark = pytest.mark.slow

OTHER_TENANT = "0badbad0-0000-4000-8000-0000000000bb"


def other_tenant(message: Dict[str, Any], how: str) -> Dict[str, Any]:
    if how == "conversation.tenantId":
        message["conversation"]["tenantId"] = OTHER_TENANT
    elif how == "channelData.tenant":
        message["channelData"]["tenant"]["id"] = OTHER_TENANT
    elif how == "both":
        message["conversation"]["tenantId"] = OTHER_TENANT
        message["channelData"]["tenant"]["id"] = OTHER_TENANT
    elif how == "no tenant at all":
        del message["conversation"]["tenantId"]
        del message["channelData"]["tenant"]
    return message


@pytest.mark.parametrize(
    "how", ["tid claim", "conversation.tenantId", "channelData.tenant", "both", "no tenant at all"]
)
def test_an_activity_from_another_tenant_gets_401_and_no_reply(channels: Stack, how: str):
    teams, conversation = channels.teams, new_conversation()
    message = other_tenant(activity(teams, conversation, "what does a PMO analyst do?"), how)
    token = teams.token(tid=OTHER_TENANT) if how == "tid claim" else teams.token()
    assert send(channels, message, token).status_code == 401
    # our own tenant, by the claim and the activity, is answered, and it is the only reply
    assert send(channels, activity(teams, conversation, "hello"), teams.token(tid=TENANT_ID)).status_code == 200
    teams.stub.wait_for(replies_in(conversation))
    time.sleep(0.5)
    assert len(teams.stub.received(replies_in(conversation))) == 1


def test_an_activity_sent_twice_is_answered_once(channels: Stack):
    expected = channels.rest_conversation()("what does a PMO analyst do?")
    teams, conversation = channels.teams, new_conversation()
    message = activity(teams, conversation, "what does a PMO analyst do?")
    for _ in range(2):  # the same activity (same id), each time with a valid token
        assert send(channels, message, teams.token()).status_code == 200
    teams.stub.wait_for(replies_in(conversation), len(expected))
    time.sleep(1.0)
    assert len(teams.stub.received(replies_in(conversation))) == len(expected)
    # a new activity in the same conversation is answered
    assert send(channels, activity(teams, conversation, "hello"), teams.token()).status_code == 200
    teams.stub.wait_for(replies_in(conversation), len(expected) + 1)


def test_the_bot_added_twice_by_the_same_activity_welcomes_once(channels: Stack):
    teams, conversation = channels.teams, new_conversation()
    update = conversation_update(teams, conversation, "personal", [f"28:{APP_ID}"])
    for _ in range(2):
        assert send(channels, update, teams.token()).status_code == 200
    teams.stub.wait_for(replies_in(conversation))
    time.sleep(0.5)
    assert len(teams.stub.received(replies_in(conversation))) == 1


MULTI = teams_app({"MICROSOFT_APP_ID": "a", "MICROSOFT_APP_PASSWORD": "p", "MICROSOFT_APP_TYPE": "MultiTenant"})
SINGLE = teams_app(
    {"MICROSOFT_APP_ID": "a", "MICROSOFT_APP_PASSWORD": "p", "MICROSOFT_APP_TENANT_ID": TENANT_ID.upper()}
)


@pytest.mark.parametrize(
    "conversation,data,channel,refused",
    [
        ({"tenantId": TENANT_ID}, {"tenant": {"id": TENANT_ID}}, "msteams", False),
        ({"tenantId": TENANT_ID}, {}, "msteams", False),  # tenant ids compared without case
        ({"tenantId": OTHER_TENANT}, {"tenant": {"id": TENANT_ID}}, "msteams", True),
        ({}, {"tenant": {"id": OTHER_TENANT}}, "msteams", True),
        ({}, {}, "msteams", True),  # Teams always names the tenant
        ({}, {}, "webchat", False),  # Web Chat does not
        ({}, {"tenant": "not an object"}, "msteams", True),
    ],
)
def test_check_tenant(conversation, data, channel, refused):
    activity = {"conversation": conversation, "channelData": data, "channelId": channel}
    if refused:
        with pytest.raises(AuthError):
            check_tenant(activity, SINGLE)
    else:
        check_tenant(activity, SINGLE)
    check_tenant(activity, MULTI)  # a multi-tenant bot takes every tenant
