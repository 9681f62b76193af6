"""Slack's Web API and request signatures, as the connector uses them.

- :func:`check_signature`: slack_sdk's ``SignatureVerifier`` decides; this says why
  a request is refused (for the log);
- :func:`web_client`: slack_sdk's client with its retry handlers: connection errors,
  and a 429 retried after its ``Retry-After`` (at most ``MAX_RETRY_AFTER`` seconds,
  ``RATE_LIMIT_RETRIES`` times);
- :class:`TokenWatch`: an expired or revoked bot token is logged once, not once per
  message;
- :class:`SlackBot`: the output channel (Block Kit buttons, replies in threads).
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Dict, List, Mapping, Optional, Text, TypeVar

from rasa.core.channels.channel import OutputChannel
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.signature import Clock, SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.slack_blocks import button_blocks
from bot.render import to_slack_mrkdwn
from bot.settings import SLACK_TOKEN_ENV
from bot.turns import waiting_on_io

logger = logging.getLogger(__name__)

T = TypeVar("T")

MAX_AGE_SECONDS = 5 * 60  # as slack_sdk's SignatureVerifier
RATE_LIMIT_RETRIES = 2
MAX_RETRY_AFTER = 30  # seconds: a longer Retry-After fails the reply instead of holding it
# Web API errors that mean the bot token no longer works (replace SLACK_BOT_TOKEN).
TOKEN_ERRORS = frozenset({"token_expired", "token_revoked", "invalid_auth", "not_authed", "account_inactive"})


class _At(Clock):
    def __init__(self, now: float) -> None:
        self._now = now

    def now(self) -> float:
        return self._now


def check_signature(secret: str, headers: Mapping[str, str], body: bytes, now: Optional[float] = None) -> Optional[str]:
    """Why a request is not authentic (for the log), or None when it is."""
    timestamp = headers.get("X-Slack-Request-Timestamp") or ""
    given = headers.get("X-Slack-Signature") or ""
    if not timestamp or not given:
        return "missing signature"
    try:
        sent = int(timestamp)
    except ValueError:
        return "bad timestamp"
    clock = _At(now) if now is not None else Clock()
    if abs(clock.now() - sent) > MAX_AGE_SECONDS:
        return "stale timestamp"
    if not SignatureVerifier(secret, clock).is_valid(body, timestamp, given):
        return "wrong signature"
    return None


class BoundedRateLimitRetry(AsyncRateLimitErrorRetryHandler):
    """slack_sdk's 429 handler (waits ``Retry-After``), unless Slack asks for a long wait."""

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: Optional[HttpResponse] = None,
        error: Optional[Exception] = None,
    ) -> bool:
        if response is None or response.status_code != 429:
            return False
        wait = next((v[0] for k, v in response.headers.items() if k.lower() == "retry-after" and v), "1")
        return wait.strip().isdigit() and int(wait) <= MAX_RETRY_AFTER


def web_client(token: str, api_url: str, proxy: Optional[str]) -> AsyncWebClient:
    handlers: List[AsyncRetryHandler] = [
        AsyncConnectionErrorRetryHandler(),
        BoundedRateLimitRetry(max_retry_count=RATE_LIMIT_RETRIES),
    ]
    return AsyncWebClient(token, base_url=api_url, proxy=proxy, retry_handlers=handlers)


class TokenWatch:
    """Says once that the bot token stopped working, instead of once per message."""

    def __init__(self) -> None:
        self.reported = False

    async def call(self, request: Awaitable[T]) -> T:
        try:
            result = await request
        except SlackApiError as exc:
            code = str(exc.response.get("error") or "") if exc.response is not None else ""
            if code in TOKEN_ERRORS:
                if not self.reported:
                    logger.error(
                        "Slack refused the bot token (%s): replies cannot be posted until %s is "
                        "replaced and the server restarted",
                        code,
                        SLACK_TOKEN_ENV,
                    )
                self.reported = True
            else:
                logger.warning("Slack Web API error: %.64s", code or type(exc).__name__)
            raise
        self.reported = False
        return result


class SlackBot(OutputChannel):
    """Posts replies through the Web API, into a thread when there is one."""

    @classmethod
    def name(cls) -> Text:
        return "slack"

    def __init__(
        self,
        client: AsyncWebClient,
        watch: TokenWatch,
        slack_channel: Optional[Text] = None,
        thread_id: Optional[Text] = None,
    ) -> None:
        super().__init__()
        self.client, self.watch = client, watch
        self.slack_channel, self.thread_id = slack_channel, thread_id

    async def _post_message(self, channel: Text, **kwargs: Any) -> None:
        if self.thread_id:
            kwargs["thread_ts"] = self.thread_id
        async with waiting_on_io():  # Slack's API is slow at times: other visitors need not wait for it
            await self.watch.call(self.client.chat_postMessage(channel=channel, **kwargs))

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._post_message(self.slack_channel or recipient_id, text=to_slack_mrkdwn(text), mrkdwn=True)

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        await self._post_message(
            self.slack_channel or recipient_id, text=to_slack_mrkdwn(text), blocks=button_blocks(text, buttons)
        )

    async def send_image_url(self, recipient_id: Text, image: Text, **kwargs: Any) -> None:
        await self._post_message(
            self.slack_channel or recipient_id,
            text=image,
            blocks=[{"type": "image", "image_url": image, "alt_text": "image"}],
        )

    async def send_attachment(
        self,
        recipient_id: Text,
        attachment: Dict[Text, Any],
        **kwargs: Any,
    ) -> None:
        await self._post_message(self.slack_channel or recipient_id, attachments=[attachment])

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        channel = json_message.pop("channel", self.slack_channel or recipient_id)
        await self._post_message(channel, **json_message)
