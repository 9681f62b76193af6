"""The Slack Web API helpers: when a 429 is retried, and a bad token logged once."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List, Optional

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.channels.slack_api import BoundedRateLimitRetry, TokenWatch, web_client


@pytest.mark.parametrize(
    "status,headers,attempt,retried",
    [
        (429, {"Retry-After": "1"}, 0, True),
        (429, {"retry-after": "30"}, 1, True),
        (429, {"Retry-After": "120"}, 0, False),  # too long to hold a reply: it fails instead
        (429, {"Retry-After": "1"}, 2, False),  # two retries at most
        (429, {}, 0, True),
        (500, {"Retry-After": "1"}, 0, False),
        (200, {}, 0, False),
    ],
)
def test_which_responses_are_retried(status: int, headers: Dict[str, str], attempt: int, retried: bool):
    handler = BoundedRateLimitRetry(max_retry_count=2)
    request = HttpRequest(method="POST", url="https://slack.com/api/chat.postMessage", headers={})
    decision = asyncio.run(
        handler.can_retry_async(
            state=RetryState(current_attempt=attempt),
            request=request,
            response=HttpResponse(status_code=status, headers=headers),
        )
    )
    assert decision is retried


def test_the_client_retries_rate_limits_and_connection_errors():
    kinds = {type(h).__name__ for h in web_client("xoxb-1", "https://slack.com/api/", None).retry_handlers}
    assert kinds == {"BoundedRateLimitRetry", "AsyncConnectionErrorRetryHandler"}


def refusal(error: Optional[str]) -> SlackApiError:
    body: Dict[str, Any] = {"ok": False, "error": error}
    reply = AsyncSlackResponse(
        client=None, http_verb="POST", api_url="u", req_args={}, data=body, headers={}, status_code=200
    )
    return SlackApiError("refused", reply)


def test_a_bad_token_is_logged_once_until_a_call_works(caplog: pytest.LogCaptureFixture):
    watch = TokenWatch()

    async def fails(error: str) -> None:
        raise refusal(error)

    async def works() -> str:
        return "ok"

    async def go() -> List[Any]:
        outcomes: List[Any] = []
        for call in (
            fails("token_revoked"),
            fails("token_revoked"),
            fails("channel_not_found"),
            works(),
            fails("token_expired"),
        ):
            try:
                outcomes.append(await watch.call(call))
            except SlackApiError as exc:
                outcomes.append(exc.response["error"])
        return outcomes

    with caplog.at_level(logging.WARNING, logger="bot.channels.slack_api"):
        outcomes = asyncio.run(go())
    assert outcomes == ["token_revoked", "token_revoked", "channel_not_found", "ok", "token_expired"]
    refused = [r.getMessage() for r in caplog.records if "refused the bot token" in r.getMessage()]
    assert len(refused) == 2 and "token_revoked" in refused[0] and "token_expired" in refused[1]
    assert any("channel_not_found" in r.getMessage() for r in caplog.records)
