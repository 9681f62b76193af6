"""A hardened REST channel: same URL and reply format as Rasa's ``rest``.

Rasa's stock REST channel answers a JSON array or a missing sender with a 500
and can return an empty list when something fails inside. This one checks the
body first (400 with a reason), caps the text it stores, never logs what the
user wrote, and always returns at least one polite message.
"""

from __future__ import annotations

import json
import logging
from asyncio import CancelledError
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, Optional, Union

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput as _RasaRestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import log_privacy
from bot.channels.body import read_body
from bot.channels.limits import (
    MAX_TEXT_CHARS as MAX_TEXT_CHARS,
)
from bot.channels.limits import (
    SLOW_DOWN,
    Limits,
    client_address,
    retry_after_header,
)
from bot.settings import Settings, load
from bot.turns import watch_turn

logger = logging.getLogger(__name__)

MAX_SENDER_CHARS = 128  # Rasa's events table keeps 255; a longer id is refused, never cut (two ids would merge)
MAX_METADATA_BYTES = 4_096  # metadata is stored with the message and twice in the session start
TURN_HEADER = "X-PMO-Turn"
# Sent when a turn produced no reply (e.g. the action server is down): an
# apology and a way forward that needs nothing from the failing part.
APOLOGY = (
    "Sorry, I can't answer that right now because of a problem on my side. Please "
    "try again in a minute, or reach the PMO Learning team through the contact form "
    "on https://www.pmolearning.co.uk."
)


async def run_turn(on_new_message: Callable[[UserMessage], Awaitable[Any]], message: UserMessage, channel: str) -> bool:
    """Hand one message to Rasa; True if the turn went wrong and the user is owed ``APOLOGY``.

    Wrong means: the turn raised or was cancelled, or a custom action failed or
    took longer than ``PMO_ACTION_TIMEOUT`` (``bot.serving`` records that), even
    if some replies were sent before it. A failure is logged by its type, never
    raised: never a stack trace to the user and never their text in the logs.
    The caller also apologises when the turn sent nothing at all.
    """
    with watch_turn() as outcome:
        try:
            await on_new_message(message)
        except CancelledError:
            logger.error("%s message timed out", channel)
            return True
        except Exception as exc:  # never a stack trace to the user
            logger.error("%s message failed: %s", channel, type(exc).__name__)
            return True
    if outcome.failed:
        logger.error("%s message: a custom action failed or timed out; apologising", channel)
    return outcome.failed


@dataclass(frozen=True)
class RestMessage:
    sender: str
    text: str
    metadata: Optional[Dict[str, Any]] = None


def parse_body(raw: bytes) -> Union[RestMessage, str]:
    """The message in a request body, or the reason it is not acceptable."""
    try:
        body = json.loads(raw or b"")
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: [[[[... thousands deep
        return "body must be JSON"
    if not isinstance(body, dict):
        return "body must be a JSON object"
    sender, text, metadata = body.get("sender"), body.get("message", ""), body.get("metadata")
    if not isinstance(sender, (str, int)) or isinstance(sender, bool) or not str(sender).strip():
        return "'sender' is required (a string)"
    if text is None:
        text = ""
    if not isinstance(text, str):
        return "'message' must be a string"
    if len(str(sender)) > MAX_SENDER_CHARS:
        return f"'sender' must be at most {MAX_SENDER_CHARS} characters"
    if metadata is not None and not isinstance(metadata, dict):
        return "'metadata' must be an object"
    if metadata and metadata_bytes(metadata) > MAX_METADATA_BYTES:
        return f"'metadata' must be at most {MAX_METADATA_BYTES} bytes of JSON"
    return RestMessage(str(sender), text[:MAX_TEXT_CHARS], metadata)


def metadata_bytes(metadata: Dict[str, Any]) -> int:
    """Size of ``metadata`` as stored (JSON, UTF-8); anything that cannot be stored counts as too big."""
    try:
        return len(json.dumps(metadata, ensure_ascii=False).encode("utf-8"))
    except (TypeError, ValueError, RecursionError):
        return MAX_METADATA_BYTES + 1


class WholeMessages(CollectingOutputChannel):
    """Rasa's collector, except that a text reply stays one message.

    Rasa splits a plain text reply at every blank line into separate messages (a
    reply with buttons it keeps whole), so one answer with a list arrived as three
    or four bubbles. Each answer is one message here, as in the widget.
    """

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._persist_message(self._message(recipient_id, text=text.strip()))


class RestInput(_RasaRestInput):
    # Every setting's default until Rasa builds the channel (:meth:`from_credentials`).
    settings: Settings = Settings()

    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> "RestInput":
        channel = cls()
        channel.settings = load()  # built by Rasa from credentials.yml: the settings are read here
        return channel

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        log_privacy.install()  # before the first message: no visitor text in the log
        webhook = Blueprint("pmo_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        settings = self.settings
        cap, limits, proxies = settings.max_body_bytes, Limits.from_settings("rest", settings), settings.trusted_proxies

        @webhook.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            raw = await read_body(request, cap)
            if raw is None:
                return response.json({"error": f"body must be at most {cap} bytes"}, status=413)
            parsed = parse_body(raw)
            if isinstance(parsed, str):
                return response.json({"error": parsed}, status=400)
            if limits.on:
                address = client_address(request.ip, request.headers.get("x-forwarded-for"), proxies)
                decision = await limits.check(parsed.sender, address)
                if not decision.allowed:
                    return response.json(
                        {
                            "error": "too many messages; slow down",
                            "messages": [{"recipient_id": parsed.sender, "text": SLOW_DOWN}],
                        },
                        status=429,
                        headers={"Retry-After": retry_after_header(decision)},
                    )
            collector = WholeMessages()
            failed = await run_turn(
                on_new_message,
                UserMessage(parsed.text, collector, parsed.sender, input_channel=self.name(), metadata=parsed.metadata),
                "REST",
            )
            # How the turn went, for monitoring and tests (the body reads the same to the user):
            # "failed" (a custom action failed or timed out, or the turn raised), "empty" (the turn
            # worked but said nothing, e.g. /restart) or "answered".
            outcome = "failed" if failed else ("answered" if collector.messages else "empty")
            if failed or not collector.messages:
                collector.messages.append({"recipient_id": parsed.sender, "text": APOLOGY})
            return response.json(collector.messages, headers={TURN_HEADER: outcome})

        return webhook
