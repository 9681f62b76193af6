"""One front door (HAProxy) with two replicas on a fresh PostgreSQL database and Redis, the
action server, the demo page, and Slack/Teams stubs, for the whole tests/deploy/test_frontdoor.py
module. PostgreSQL, Redis or HAProxy missing is a failure, not a skip."""

from __future__ import annotations

from typing import Iterator

import pytest

from harness import frontdoor as stack
from harness import services
from tests.channels.conftest import (
    APP_ID,
    APP_PASSWORD,
    ISSUER,
    SLACK_SECRET,
    SLACK_TOKEN,
    TENANT_ID,
    Teams,
    _slack_stub,
    _teams_stub,
    new_key,
)

# Messages per client address at the edge and in the application (PMO_RATE_LIMIT_PER_ADDRESS):
# low, so that a test can reach it; every other test client has an address of its own.
RATE = "20/10"
# How long HAProxy lets a replica take over a webhook request (60s in production): short here so
# that the hung-replica test sees the 504 soon, long enough for any turn on a busy machine.
SERVER_TIMEOUT = 20


@pytest.fixture(scope="module")
def frontdoor(tmp_path_factory) -> Iterator[stack.FrontDoor]:
    services.require_postgres()
    services.require_redis()
    workdir = tmp_path_factory.mktemp("frontdoor")
    key = new_key()
    slack, teams_stub = _slack_stub(), _teams_stub(key)
    channels = {
        "SLACK_BOT_TOKEN": SLACK_TOKEN,
        "SLACK_SIGNING_SECRET": SLACK_SECRET,
        "SLACK_API_URL": slack.url + "/api/",
        "MICROSOFT_APP_ID": APP_ID,
        "MICROSOFT_APP_PASSWORD": APP_PASSWORD,
        "MICROSOFT_APP_TYPE": "SingleTenant",
        "MICROSOFT_APP_TENANT_ID": TENANT_ID,
        "TEAMS_OPENID_METADATA_URL": teams_stub.url + "/openid",
        "TEAMS_LOGIN_URL": teams_stub.url,
        "TEAMS_TOKEN_ISSUER": ISSUER,
    }
    with services.fresh_database("pmo_frontdoor") as url:
        try:
            door = stack.start(
                workdir, url, services.REDIS_URL, replica_env=channels, rate=RATE, server_timeout=f"{SERVER_TIMEOUT}s"
            )
        except BaseException:
            slack.stop()
            teams_stub.stop()
            raise
        door.extra += [slack, teams_stub]
        door.slack = slack
        door.teams = Teams(teams_stub, key, new_key())
        try:
            yield door
        finally:
            door.stop()
