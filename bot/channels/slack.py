"""Slack connector: Rasa's, with secrets from the environment and stricter rules.

Differences from ``rasa.core.channels.slack``:

- the bot token and signing secret come from ``SLACK_BOT_TOKEN`` and
  ``SLACK_SIGNING_SECRET``; without them the webhook answers 503 and the rest
  of the server runs as usual (so ``credentials.yml`` can always list it);
- ``SLACK_API_URL`` changes the Web API base URL (tests point it at a stub);
- every request must carry a valid ``X-Slack-Signature`` made less than five
  minutes ago, or it gets a 401;
- a retry (any ``X-Slack-Retry-Num``, whatever ``X-Slack-Retry-Reason`` says)
  is acknowledged and dropped, and an ``event_id`` already seen is dropped too,
  so a message is never answered twice. We acknowledge at once and answer in
  the background, so Slack only retries when it could not reach us;
- quick replies are Block Kit buttons (value = the Rasa payload); a click
  comes back as that payload, and the message is updated to show the choice;
- replies are posted as the app, without ``as_user`` (classic-apps only);
- text is drawn in Slack's mrkdwn by :func:`bot.render.to_slack_mrkdwn`, and
  a message with buttons carries the whole answer: a section holds at most
  3,000 characters, so a longer text takes several sections.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import time
from collections import OrderedDict
from http import HTTPStatus
from typing import Any, Awaitable, Callable, Dict, List, Mapping, Optional, Text

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.slack import SlackBot as _RasaSlackBot
from rasa.core.channels.slack import SlackInput as _RasaSlackInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.background import BackgroundTasks
from bot.channels.body import max_body_bytes, read_body
from bot.render import to_slack_mrkdwn
from bot.serving import waiting_on_io

logger = logging.getLogger(__name__)

TOKEN_ENV = "SLACK_BOT_TOKEN"
SECRET_ENV = "SLACK_SIGNING_SECRET"
API_URL_ENV = "SLACK_API_URL"
DEFAULT_API_URL = "https://slack.com/api/"
MAX_AGE_SECONDS = 5 * 60
MAX_BUTTONS = 25  # Block Kit: at most 25 elements in one actions block
MAX_TEXT_CHARS = 5_000
MAX_SECTION_CHARS = 3_000  # Block Kit: a section's text
MAX_BLOCKS = 50  # Block Kit: blocks in one message
SEEN_EVENTS = 2_048


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """Slack's v0 request signature: HMAC-SHA256 of ``v0:{timestamp}:{body}``."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def check_signature(secret: str, headers: Mapping[str, str], body: bytes,
                    now: Optional[float] = None) -> Optional[str]:
    """Why a request is not authentic, or None when it is."""
    timestamp = headers.get("X-Slack-Request-Timestamp") or ""
    given = headers.get("X-Slack-Signature") or ""
    if not timestamp or not given:
        return "missing signature"
    try:
        age = abs((now if now is not None else time.time()) - int(timestamp))
    except ValueError:
        return "bad timestamp"
    if age > MAX_AGE_SECONDS:
        return "stale timestamp"
    if not hmac.compare_digest(signature(secret, timestamp, body), given):
        return "wrong signature"
    return None


def split_sections(text: str, limit: int = MAX_SECTION_CHARS) -> List[str]:
    """``text`` (already mrkdwn) in pieces of at most ``limit`` characters.

    Cut between paragraphs if possible, else between lines, else between words
    (a single word longer than ``limit`` is cut where it must be).
    """
    pieces: List[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit + 1]
        cut = next((at for sep in ("\n\n", "\n", " ") if (at := window.rfind(sep)) > 0), limit)
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest or not pieces:
        pieces.append(rest)
    return pieces


def button_blocks(text: str, buttons: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The whole text in sections, then an actions block with one button per choice."""
    elements = []
    for index, button in enumerate(buttons[:MAX_BUTTONS]):
        element: Dict[str, Any] = {
            "type": "button",
            "action_id": f"pmo_choice_{index}",
            "text": {"type": "plain_text", "text": str(button.get("title", ""))[:75], "emoji": True},
        }
        if button.get("url"):
            element["url"] = button["url"]
        else:
            element["value"] = str(button.get("payload", button.get("title", "")))[:2000]
        elements.append(element)
    sections = [{"type": "section", "text": {"type": "mrkdwn", "text": piece}}
                for piece in split_sections(to_slack_mrkdwn(text)) if piece]
    return sections[:MAX_BLOCKS - 1] + [{"type": "actions", "block_id": "pmo_choices", "elements": elements}]


def chosen_blocks(message: Dict[str, Any], title: str) -> List[Dict[str, Any]]:
    """The clicked message without its buttons, plus a line saying what was chosen."""
    blocks = [b for b in message.get("blocks") or [] if isinstance(b, dict) and b.get("type") != "actions"]
    chosen = {"type": "mrkdwn", "text": f"You chose: *{to_slack_mrkdwn(title)}*"}
    return blocks + [{"type": "context", "elements": [chosen]}]


def event_metadata(body: Dict[str, Any]) -> Dict[str, Any]:
    """Where to answer an Events API message (channel, thread, the app's user ids)."""
    event = body.get("event") or {}
    users = body.get("authed_users") or [
        a.get("user_id") for a in (body.get("authorizations") or [])[:1] if isinstance(a, dict)
    ]
    return {
        "out_channel": event.get("channel"),
        "thread_id": event.get("thread_ts", event.get("ts")),
        "users": [u for u in users if isinstance(u, str)],
    }


def interaction_metadata(payload: Dict[str, Any]) -> Dict[str, Any]:
    """Where to answer a click: the channel and thread of the clicked message."""
    message = payload.get("message") if isinstance(payload.get("message"), dict) else {}
    channel = payload.get("channel") if isinstance(payload.get("channel"), dict) else {}
    container = payload.get("container") if isinstance(payload.get("container"), dict) else {}
    return {
        "out_channel": channel.get("id") or container.get("channel_id"),
        "thread_id": message.get("thread_ts", message.get("ts")),
        "users": [],
    }


class SlackBot(_RasaSlackBot):
    """Posts replies through the Web API at a configurable base URL."""

    def __init__(self, token: Text, slack_channel: Optional[Text] = None, thread_id: Optional[Text] = None,
                 proxy: Optional[Text] = None, api_url: str = DEFAULT_API_URL) -> None:
        super().__init__(token, slack_channel, thread_id, proxy)
        self.client = AsyncWebClient(token, base_url=api_url, proxy=proxy)

    async def _post_message(self, channel: Text, **kwargs: Any) -> None:
        async with waiting_on_io():  # Slack's API is slow at times: other visitors need not wait for it
            await super()._post_message(channel, **kwargs)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._post_message(self.slack_channel or recipient_id, text=to_slack_mrkdwn(text), mrkdwn=True)

    async def send_text_with_buttons(self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]],
                                     **kwargs: Any) -> None:
        await self._post_message(self.slack_channel or recipient_id, text=to_slack_mrkdwn(text),
                                 blocks=button_blocks(text, buttons))

    async def send_image_url(self, recipient_id: Text, image: Text, **kwargs: Any) -> None:
        await self._post_message(self.slack_channel or recipient_id, text=image,
                                 blocks=[{"type": "image", "image_url": image, "alt_text": "image"}])

    async def send_attachment(self, recipient_id: Text, attachment: Dict[Text, Any],  # type: ignore[override]
                              **kwargs: Any) -> None:
        await self._post_message(self.slack_channel or recipient_id, attachments=[attachment])

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        channel = json_message.pop("channel", self.slack_channel or recipient_id)
        await self._post_message(channel, **json_message)


class SlackInput(_RasaSlackInput):
    """Slack Events API and interactivity webhook at ``/webhooks/slack/webhook``."""

    @classmethod
    def name(cls) -> Text:
        return "slack"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = credentials or {}
        return cls(
            os.environ.get(TOKEN_ENV, ""),
            credentials.get("slack_channel"),
            credentials.get("proxy"),
            use_threads=bool(credentials.get("use_threads", False)),
            slack_signing_secret=os.environ.get(SECRET_ENV, ""),
            conversation_granularity=credentials.get("conversation_granularity", "sender"),
            api_url=os.environ.get(API_URL_ENV) or DEFAULT_API_URL,
        )

    def __init__(self, slack_token: Text, slack_channel: Optional[Text] = None, proxy: Optional[Text] = None,
                 *, use_threads: bool = False, slack_signing_secret: Text = "",
                 conversation_granularity: Optional[Text] = "sender", api_url: str = DEFAULT_API_URL) -> None:
        self.api_url = api_url if api_url.endswith("/") else api_url + "/"
        self._seen_events: "OrderedDict[str, None]" = OrderedDict()
        self._in_background = BackgroundTasks("Slack")
        super().__init__(slack_token, slack_channel, proxy, "x-slack-retry-reason", "x-slack-retry-num",
                         use_threads=use_threads, slack_signing_secret=slack_signing_secret,
                         conversation_granularity=conversation_granularity)
        if not self.enabled:
            logger.info("Slack channel off: set %s and %s to turn it on", TOKEN_ENV, SECRET_ENV)

    @property
    def enabled(self) -> bool:
        return bool(self.slack_token and self.slack_signing_secret)

    def _validate_credentials(self) -> None:
        """Missing secrets switch the channel off instead of stopping the server."""

    def get_output_channel(self, channel: Optional[Text] = None, thread_id: Optional[Text] = None) -> OutputChannel:
        return SlackBot(self.slack_token, channel or self.slack_channel, thread_id, self.proxy, self.api_url)

    def _first_delivery(self, event_id: Any) -> bool:
        if not isinstance(event_id, str) or not event_id:
            return True
        if event_id in self._seen_events:
            return False
        self._seen_events[event_id] = None
        while len(self._seen_events) > SEEN_EVENTS:
            self._seen_events.popitem(last=False)
        return True

    def _dispatch(self, on_new_message: Callable[[UserMessage], Awaitable[Any]], text: str,
                  sender_id: str, metadata: Dict[str, Any]) -> None:
        """Answer in the background so Slack gets its 200 within 3 seconds."""
        thread_id = metadata.get("thread_id") if self.use_threads else None
        message = UserMessage(text[:MAX_TEXT_CHARS], self.get_output_channel(metadata.get("out_channel"), thread_id),
                              sender_id, input_channel=self.name(), metadata=metadata)
        self._in_background.answer(on_new_message, message)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("pmo_slack_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.enabled else "off"})

        cap = max_body_bytes()

        @webhook.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            if not self.enabled:
                return response.text("Slack channel is not configured", status=HTTPStatus.SERVICE_UNAVAILABLE)
            if await read_body(request, cap) is None:
                return response.text(f"Body over {cap} bytes", status=HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
            problem = check_signature(self.slack_signing_secret, request.headers, request.body or b"")
            if problem:
                logger.warning("Slack request refused: %s", problem)
                return response.text(f"Refused: {problem}", status=HTTPStatus.UNAUTHORIZED)
            retry = request.headers.get("x-slack-retry-num")
            if retry is not None:
                logger.info("Slack retry #%.8s dropped (reason: %.32s)", retry,
                            request.headers.get("x-slack-retry-reason", "none"))
                return response.text("", headers={"X-Slack-No-Retry": "1"})

            content_type = (request.headers.get("content-type") or "").split(";")[0].strip()
            if content_type == "application/json":
                return self._on_event(request, on_new_message)
            if content_type == "application/x-www-form-urlencoded":
                return await self._on_interaction(request, on_new_message)
            return response.text("Unsupported content type", status=HTTPStatus.BAD_REQUEST)

        return webhook

    def _on_event(self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> HTTPResponse:
        try:
            body = json.loads(request.body)
        except ValueError:
            return response.text("Body must be JSON", status=HTTPStatus.BAD_REQUEST)
        if not isinstance(body, dict):
            return response.text("Body must be a JSON object", status=HTTPStatus.BAD_REQUEST)
        if body.get("type") == "url_verification":
            return response.json({"challenge": body.get("challenge", "")})
        event = body.get("event")
        if not isinstance(event, dict) or not self._is_user_message(body) or event.get("subtype"):
            return response.text("")
        if not self._first_delivery(body.get("event_id")):
            return response.text("", headers={"X-Slack-No-Retry": "1"})
        metadata = event_metadata(body)
        if not self._is_supported_channel(body, metadata):
            return response.text("")
        sender = str(event.get("user") or "")
        conversation_id = self._get_conversation_id(sender, metadata.get("out_channel"), metadata.get("thread_id"))
        text = self._sanitize_user_message(str(event.get("text") or ""), metadata.get("users"))
        self._dispatch(on_new_message, text, conversation_id or sender, metadata)
        return response.text("")

    async def _on_interaction(self, request: Request,
                              on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> HTTPResponse:
        try:
            payload = json.loads(request.form.get("payload") or "")
        except ValueError:
            return response.text("Form field 'payload' must be JSON", status=HTTPStatus.BAD_REQUEST)
        if not isinstance(payload, dict) or not isinstance(payload.get("user"), dict):
            return response.text("Unsupported payload", status=HTTPStatus.BAD_REQUEST)
        actions = payload.get("actions") or []
        if not actions or not isinstance(actions[0], dict) or not self._is_interactive_message(payload):
            return response.text("")
        action = actions[0]
        text = self._get_interactive_response(action)
        if text is None:  # a link button: Slack opens the URL itself
            return response.text("")
        metadata = interaction_metadata(payload)
        sender = str(payload["user"].get("id") or "")
        conversation_id = self._get_conversation_id(sender, metadata.get("out_channel"), metadata.get("thread_id"))
        message = payload.get("message")
        channel = metadata.get("out_channel")
        if action.get("type") == "button" and isinstance(message, dict) and channel and message.get("ts"):
            title = str((action.get("text") or {}).get("text") or "")
            self._in_background.start(self._mark_chosen(channel, message, title))
        self._dispatch(on_new_message, str(text), conversation_id or sender, metadata)
        return response.text("")

    async def _mark_chosen(self, channel: str, message: Dict[str, Any], title: str) -> None:
        """Replace the buttons of the clicked message by the choice, as Slack apps do."""
        try:
            client = AsyncWebClient(self.slack_token, base_url=self.api_url, proxy=self.proxy)
            await client.chat_update(channel=channel, ts=message["ts"], text=message.get("text") or title,
                                     blocks=chosen_blocks(message, title))
        except Exception as exc:
            logger.warning("Slack chat.update failed: %s", type(exc).__name__)
