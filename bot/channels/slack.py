"""Slack connector: Rasa's, with secrets from the environment and Slack's own habits.

Differences from ``rasa.core.channels.slack``:

- the bot token and signing secret come from ``SLACK_BOT_TOKEN`` and
  ``SLACK_SIGNING_SECRET``; without them the webhook answers 503 and the rest
  of the server runs as usual (so ``credentials.yml`` can always list it);
  ``SLACK_API_URL`` changes the Web API base URL (tests point it at a stub);
- every request must carry a valid ``X-Slack-Signature`` made less than five
  minutes ago (checked by slack_sdk's ``SignatureVerifier``), or it gets a 401;
- an event or message already taken by any replica (:mod:`bot.channels.slack_state`,
  in Redis) is acknowledged and dropped, whether it comes again as Slack's retry
  (``X-Slack-Retry-Num``) or replayed; a retry whose first delivery never arrived is
  answered, since its event id is new. A button click sent again (same user, click
  time and trigger) is dropped the same way. We acknowledge at once and answer in
  the background, so Slack only retries when it could not reach us;
- conversations and threads as :mod:`bot.channels.slack_routing` says: one per
  DM channel, one per thread; a mention is answered in a thread, and follow-ups
  in the bot's threads reach it without a new mention;
- the App Home tab and a user's first direct message get the welcome and the
  main options (:mod:`bot.channels.welcome`);
- quick replies are Block Kit buttons (value = the Rasa payload); a click comes
  back as that payload, and the message is updated to say who chose what;
- Web API calls through :mod:`bot.channels.slack_api`: a 429 is retried after
  its ``Retry-After``, a revoked token logged once; replies posted as the app.
"""

from __future__ import annotations

import json
import logging
from http import HTTPStatus
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.slack import SlackInput as _RasaSlackInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import log_privacy
from bot.channels.background import BackgroundTasks
from bot.channels.body import DEFAULT_MAX_BODY_BYTES, read_body
from bot.channels.limits import MAX_TEXT_CHARS
from bot.channels.slack_api import (
    SlackBot,
    TokenWatch,
    check_signature,
    web_client,
)
from bot.channels.slack_blocks import MAX_SECTION_CHARS, button_blocks, chosen_blocks, home_view, split_sections
from bot.channels.slack_routing import bot_user_ids, is_direct, route
from bot.channels.slack_state import MemoryMarks, SlackState
from bot.channels.welcome import welcome_for
from bot.settings import DEFAULT_SLACK_API_URL, SLACK_SECRET_ENV, SLACK_TOKEN_ENV, load

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]

HANDLED_EVENTS = ("message", "app_mention", "app_home_opened")

__all__ = [
    "MAX_SECTION_CHARS",
    "SlackBot",
    "SlackInput",
    "button_blocks",
    "check_signature",
    "chosen_blocks",
    "split_sections",
]


def _dict(value: Any) -> Dict[str, Any]:
    """``value`` if it is a JSON object, else an empty one (Slack's payloads are trusted only so far)."""
    return value if isinstance(value, dict) else {}


def click_id(payload: Dict[str, Any], action: Dict[str, Any], signature: Optional[str]) -> str:
    """What makes a click one click: who, when (Slack's ``action_ts``) and its trigger.

    Slack gives every interaction its own ``trigger_id`` and ``action_ts``; a body sent
    again carries the same ones (the signature covers the body). Without either, the
    signature itself names the request, so the same signed request is still taken once.
    """
    user = str(_dict(payload.get("user")).get("id") or "")
    when, trigger = str(action.get("action_ts") or ""), str(payload.get("trigger_id") or "")
    if when or trigger:
        return f"{_dict(payload.get('team')).get('id')}:{user}:{when}:{trigger}"
    return f"signature:{signature}"


class SlackInput(_RasaSlackInput):
    """Slack Events API and interactivity webhook at ``/webhooks/slack/webhook``."""

    @classmethod
    def name(cls) -> Text:
        return "slack"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = credentials or {}
        settings = load()  # built by Rasa from credentials.yml: the settings are read here
        return cls(
            settings.slack_token,
            credentials.get("slack_channel"),
            credentials.get("proxy"),
            slack_signing_secret=settings.slack_secret,
            api_url=settings.slack_api_url,
            state=SlackState.from_settings(settings),
            body_cap=settings.max_body_bytes,
        )

    def __init__(
        self,
        slack_token: Text,
        slack_channel: Optional[Text] = None,
        proxy: Optional[Text] = None,
        *,
        slack_signing_secret: Text = "",
        api_url: str = DEFAULT_SLACK_API_URL,
        state: Optional[SlackState] = None,
        body_cap: int = DEFAULT_MAX_BODY_BYTES,
    ) -> None:
        self.api_url = api_url if api_url.endswith("/") else api_url + "/"
        self._in_background = BackgroundTasks("Slack")
        super().__init__(
            slack_token,
            slack_channel,
            proxy,
            "x-slack-retry-reason",
            "x-slack-retry-num",
            use_threads=True,
            slack_signing_secret=slack_signing_secret,
        )
        self.watch = TokenWatch()
        self.client = web_client(slack_token, self.api_url, proxy)
        self.state = state if state is not None else SlackState(MemoryMarks())
        self.body_cap = body_cap
        if not self.enabled:
            logger.info("Slack channel off: set %s and %s to turn it on", SLACK_TOKEN_ENV, SLACK_SECRET_ENV)

    @property
    def enabled(self) -> bool:
        return bool(self.slack_token and self.slack_signing_secret)

    def _validate_credentials(self) -> None:
        """Missing secrets switch the channel off instead of stopping the server."""

    def get_output_channel(self, channel: Optional[Text] = None, thread_id: Optional[Text] = None) -> OutputChannel:
        return SlackBot(self.client, self.watch, channel or self.slack_channel, thread_id)

    def _dispatch(
        self, on_new_message: OnNewMessage, text: str, conversation_id: str, metadata: Dict[str, Any]
    ) -> None:
        """Answer in the background so Slack gets its 200 within 3 seconds."""
        output = self.get_output_channel(metadata.get("out_channel"), metadata.get("thread_id"))
        message = UserMessage(
            text[:MAX_TEXT_CHARS], output, conversation_id, input_channel=self.name(), metadata=metadata
        )
        self._in_background.answer(on_new_message, message)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        log_privacy.install()  # before the first message: no visitor text in the log
        webhook = Blueprint("pmo_slack_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.enabled else "off"})

        cap = self.body_cap

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
            # A retry (X-Slack-Retry-Num) goes through like a first delivery: its event id says
            # whether the first one arrived (then it is dropped below) or was lost (then it is answered).
            content_type = (request.headers.get("content-type") or "").split(";")[0].strip()
            if content_type == "application/json":
                return await self._on_event(request, on_new_message)
            if content_type == "application/x-www-form-urlencoded":
                return await self._on_interaction(request, on_new_message)
            return response.text("Unsupported content type", status=HTTPStatus.BAD_REQUEST)

        return webhook

    async def _on_event(self, request: Request, on_new_message: OnNewMessage) -> HTTPResponse:
        try:
            body = json.loads(request.body)
        except ValueError:
            return response.text("Body must be JSON", status=HTTPStatus.BAD_REQUEST)
        if not isinstance(body, dict):
            return response.text("Body must be a JSON object", status=HTTPStatus.BAD_REQUEST)
        if body.get("type") == "url_verification":
            return response.json({"challenge": body.get("challenge", "")})
        event = body.get("event")
        if not isinstance(event, dict):
            return response.text("")
        if event.get("type") == "app_home_opened":
            if await self.state.first_delivery(body.get("event_id")):
                self._in_background.start(self._home_opened(request.app, body, event))
            return response.text("")
        bots = bot_user_ids(body)
        where = route(event, bots, self.slack_channel)
        if where is None or not event.get("user"):
            return response.text("")
        if where.needs_bot_thread and not await self.state.in_thread(where.channel, str(where.thread_ts)):
            return response.text("")
        if not await self.state.first_delivery(body.get("event_id"), where.channel, str(event.get("ts"))):
            retry = request.headers.get("x-slack-retry-num")
            logger.info("Slack event already taken, dropped (%s)", f"retry #{retry:.8}" if retry else "no retry")
            return response.text("", headers={"X-Slack-No-Retry": "1"})
        if where.joins_thread and where.thread_ts:
            await self.state.join_thread(where.channel, where.thread_ts)
        sender = str(event.get("user"))
        metadata = {
            "out_channel": where.channel,
            "thread_id": where.thread_ts,
            "users": bots,
            "user": sender,
            "team": body.get("team_id"),
        }
        text = self._sanitize_user_message(str(event.get("text") or ""), bots)
        self._dispatch(on_new_message, text, where.conversation_id, metadata)
        return response.text("")

    async def _on_interaction(self, request: Request, on_new_message: OnNewMessage) -> HTTPResponse:
        try:
            payload = json.loads(request.form.get("payload") or "")
        except ValueError:
            return response.text("Form field 'payload' must be JSON", status=HTTPStatus.BAD_REQUEST)
        if not isinstance(payload, dict) or not isinstance(payload.get("user"), dict):
            return response.text("Unsupported payload", status=HTTPStatus.BAD_REQUEST)
        actions = payload.get("actions")
        if not isinstance(actions, list) or not actions or not isinstance(actions[0], dict):
            return response.text("")
        if not self._is_interactive_message(payload):
            return response.text("")
        action = actions[0]
        text = self._get_interactive_response(action)
        user = str(payload["user"].get("id") or "")
        if text is None or not user:  # a link button: Slack opens the URL itself
            return response.text("")
        if not await self.state.first_click(click_id(payload, action, request.headers.get("x-slack-signature"))):
            logger.info("Slack click already taken, dropped")
            return response.text("")
        container = _dict(payload.get("container"))
        metadata = {"users": [], "user": user, "team": _dict(payload.get("team")).get("id")}
        if container.get("type") == "view":  # a main option on the App Home tab: answer in the DM
            self._in_background.start(self._home_click(on_new_message, str(text), user, metadata))
            return response.text("")
        message = _dict(payload.get("message"))
        channel = str(_dict(payload.get("channel")).get("id") or container.get("channel_id") or "")
        if not channel or not message.get("ts"):
            return response.text("")
        thread = message.get("thread_ts")
        if is_direct({"channel": channel}):
            conversation_id = f"slack:{channel}"
        else:
            thread = thread or message["ts"]
            conversation_id = f"slack:{channel}:{thread}"
        if action.get("type") == "button":
            title = str(_dict(action.get("text")).get("text") or "")
            self._in_background.start(self._mark_chosen(channel, message, title, user))
        self._dispatch(
            on_new_message, str(text), conversation_id, {**metadata, "out_channel": channel, "thread_id": thread}
        )
        return response.text("")

    async def _mark_chosen(self, channel: str, message: Dict[str, Any], title: str, user: str) -> None:
        """Replace the buttons of the clicked message by who chose what, as Slack apps do."""
        try:
            await self.watch.call(
                self.client.chat_update(
                    channel=channel,
                    ts=message["ts"],
                    text=message.get("text") or title,
                    blocks=chosen_blocks(message, title, user),
                )
            )
        except Exception as exc:
            logger.warning("Slack chat.update failed: %s", type(exc).__name__)

    async def _home_click(self, on_new_message: OnNewMessage, text: str, user: str, metadata: Dict[str, Any]) -> None:
        try:
            opened = await self.watch.call(self.client.conversations_open(users=user))
            channel = str(opened["channel"]["id"])
        except Exception as exc:
            logger.warning("Slack conversations.open failed: %s", type(exc).__name__)
            return
        self._dispatch(
            on_new_message, text, f"slack:{channel}", {**metadata, "out_channel": channel, "thread_id": None}
        )

    async def _home_opened(self, app: Any, body: Dict[str, Any], event: Dict[str, Any]) -> None:
        """The App Home view (at most daily), and the welcome in a user's first direct message."""
        user, team, tab = str(event.get("user") or ""), str(body.get("team_id") or ""), event.get("tab")
        welcome = welcome_for(app, "slack")
        if not user or welcome is None:
            return
        try:
            if tab == "home" and await self.state.home_due(team, user):
                view = home_view(welcome.text, welcome.button_list)
                await self.watch.call(self.client.views_publish(user_id=user, view=view))
            elif tab == "messages" and event.get("channel") and await self.state.first_welcome(team, user):
                bot = self.get_output_channel(str(event["channel"]))
                await bot.send_text_with_buttons(user, welcome.text, welcome.button_list)
        except Exception as exc:
            logger.warning("Slack App Home welcome failed: %s", type(exc).__name__)
