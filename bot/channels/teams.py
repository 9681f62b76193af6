"""Microsoft Teams (Bot Framework) connector, replacing Rasa's ``botframework``.

What it fixes in ``rasa.core.channels.botframework`` (Rasa 3.6.21):

- authentication by :mod:`bot.channels.teams_auth`: credentials from the
  environment (single- and multi-tenant bots; without them the webhook answers
  503), Microsoft's keys fetched on the first request, not at start, and every
  token checked for an RS256 signature, channel, audience, issuer, expiry and
  ``serviceUrl``, and a single-tenant bot refuses other tenants (the token's ``tid``,
  the activity's tenant); anything else is a 401;
- an activity already taken (same conversation and id: the Bot Framework's retry,
  or a replay while its token is valid) is acknowledged and dropped, by every
  replica when ``PMO_REDIS_URL`` is set (:mod:`bot.channels.marks`);
- buttons are hero-card actions Teams can click: ``messageBack`` for Rasa
  payloads (the user sees the title, the bot gets the payload), ``imBack`` for
  plain text and ``openUrl`` for links;
- all HTTP is aiohttp, and the webhook answers at once while Rasa replies in
  the background; no user text or token is ever logged;
- text is drawn for Teams by :mod:`bot.render` as Teams markdown
  (:func:`~bot.render.to_teams`: Teams drops single newlines). A message with
  buttons carries the whole answer as its text, and a hero card below it holds
  only the buttons, so notification previews and screen readers get the answer
  (and it is not shown twice);
- a typing indicator goes before each reply (the first as soon as a message
  arrives, while Rasa works on it);
- when the bot is added to a personal chat, a team or a group chat
  (``conversationUpdate`` whose ``membersAdded`` holds the bot) it posts the
  welcome with the main options (:mod:`bot.channels.welcome`); nothing is posted
  when other people join.

Just over 300 lines: the input channel, its output and the checks of an activity's shape
belong together (authentication is in teams_auth, the welcome in welcome).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from http import HTTPStatus
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Optional, Text
from urllib.parse import quote

import aiohttp
import jwt
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import log_privacy
from bot.channels.background import BackgroundTasks
from bot.channels.body import DEFAULT_MAX_BODY_BYTES, read_body
from bot.channels.limits import MAX_TEXT_CHARS
from bot.channels.marks import Marks, MemoryMarks, marks_for
from bot.channels.teams_auth import (
    CLOCK_SKEW_SECONDS,
    HTTP_TIMEOUT,
    AppToken,
    AuthError,
    SigningKeys,
    TeamsApp,
    check_tenant,
    validate_token,
)
from bot.channels.welcome import welcome_for
from bot.render import to_teams
from bot.settings import APP_ID_ENV, APP_PASSWORD_ENV, load
from bot.turns import waiting_on_io

logger = logging.getLogger(__name__)

MENTION = re.compile(r"<at>[^<]*</at>", re.IGNORECASE)
REPLAY_SECONDS = 24 * 3600.0  # the longest an activity id is remembered (its token's life decides)

__all__ = [
    "AuthError",
    "TeamsApp",
    "TeamsInput",
    "TeamsOutput",
    "bot_added",
    "card_action",
    "hero_card",
    "user_text",
    "validate_token",
]


def card_action(button: Dict[str, Any]) -> Dict[str, Any]:
    title = str(button.get("title", ""))
    if button.get("url"):
        return {"type": "openUrl", "title": title, "value": button["url"]}
    payload = str(button.get("payload", title))
    if payload.startswith("/"):
        return {
            "type": "messageBack",
            "title": title,
            "displayText": title,
            "text": payload,
            "value": {"payload": payload},
        }
    return {"type": "imBack", "title": title, "value": payload}


def hero_card(buttons: Iterable[Dict[str, Any]]) -> Dict[str, Any]:
    """A hero card holding the buttons (the answer is the message's text)."""
    return {
        "contentType": "application/vnd.microsoft.card.hero",
        "content": {"buttons": [card_action(b) for b in buttons]},
    }


def bot_added(activity: Dict[str, Any]) -> bool:
    """A ``conversationUpdate`` that adds this bot (not someone else) to a chat or team."""
    bot = (activity.get("recipient") or {}).get("id")
    added = activity.get("membersAdded")
    return (
        activity.get("type") == "conversationUpdate"
        and bool(bot)
        and isinstance(added, list)
        and any(isinstance(m, dict) and m.get("id") == bot for m in added)
    )


def well_formed(activity: Any) -> bool:
    """An activity whose parts have the types this channel reads (anything else is a 400, never a 500)."""
    if not isinstance(activity, dict) or not isinstance(activity.get("serviceUrl"), str):
        return False
    objects = ("from", "conversation", "recipient", "channelData")
    if any(activity.get(key) is not None and not isinstance(activity.get(key), dict) for key in objects):
        return False
    texts = ("id", "type", "text", "channelId")
    return all(activity.get(key) is None or isinstance(activity.get(key), str) for key in texts)


def user_text(activity: Dict[str, Any]) -> str:
    """What the user said, without @mentions of the bot; a clicked payload otherwise."""
    text = MENTION.sub("", str(activity.get("text") or "")).strip()
    value = activity.get("value")
    if not text and isinstance(value, dict) and isinstance(value.get("payload"), str):
        text = value["payload"]
    return text[:MAX_TEXT_CHARS]


class TeamsOutput(OutputChannel):
    """Replies to one activity through the Bot Connector API at its serviceUrl."""

    @classmethod
    def name(cls) -> Text:
        return "teams"

    def __init__(self, token: AppToken, activity: Dict[str, Any], reply: bool = True) -> None:
        self.token = token
        service_url = str(activity["serviceUrl"])
        self.service_url = service_url if service_url.endswith("/") else service_url + "/"
        self.conversation = activity.get("conversation") or {}
        self.bot = activity.get("recipient") or {}
        self.user = {"id": (activity.get("from") or {}).get("id")}
        self.reply_to = activity.get("id") if reply else None
        self._typing_shown = False  # a typing activity went out since the last reply

    def _activity(self, **fields: Any) -> Dict[str, Any]:
        activity = {
            "type": "message",
            "from": self.bot,
            "recipient": self.user,
            "conversation": {"id": self.conversation.get("id")},
        }
        if self.reply_to:
            activity["replyToId"] = self.reply_to
        activity.update(fields)
        return activity

    async def _post(self, activity: Dict[str, Any]) -> None:
        url = f"{self.service_url}v3/conversations/{quote(str(self.conversation.get('id')), safe='')}/activities"
        if self.reply_to:
            url += "/" + quote(str(self.reply_to), safe="")
        async with waiting_on_io(), aiohttp.ClientSession(timeout=HTTP_TIMEOUT) as session:
            bearer = await self.token.get(session)
            async with session.post(url, json=activity, headers={"Authorization": f"Bearer {bearer}"}) as reply:
                if reply.status >= 300:
                    logger.error("Bot Connector answered %s to a %s activity", reply.status, activity.get("type"))

    async def typing(self) -> None:
        """Show "typing..." until the next reply; a failure only costs the indicator."""
        self._typing_shown = True
        try:
            await self._post({**self._activity(), "type": "typing"})
        except (aiohttp.ClientError, asyncio.TimeoutError, RuntimeError, KeyError) as exc:
            logger.warning("Teams typing indicator not sent: %s", type(exc).__name__)

    async def _send(self, activity: Dict[str, Any]) -> None:
        if not self._typing_shown:
            await self.typing()
        self._typing_shown = False
        await self._post(activity)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._send(self._activity(text=to_teams(text), textFormat="markdown"))

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        await self._send(self._activity(text=to_teams(text), textFormat="markdown", attachments=[hero_card(buttons)]))

    async def send_quick_replies(
        self, recipient_id: Text, text: Text, quick_replies: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies)

    async def send_image_url(self, recipient_id: Text, image: Text, **kwargs: Any) -> None:
        await self._send(self._activity(attachments=[{"contentType": "image/png", "contentUrl": image}]))

    async def send_attachment(self, recipient_id: Text, attachment: Any, **kwargs: Any) -> None:
        if isinstance(attachment, dict):
            await self._send(self._activity(attachments=[attachment]))
        else:
            await self.send_text_message(recipient_id, str(attachment))

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        await self._send(self._activity(**json_message))


class TeamsInput(InputChannel):
    """Bot Framework messaging endpoint at ``/webhooks/teams/webhook``."""

    @classmethod
    def name(cls) -> Text:
        return "teams"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        settings = load()  # built by Rasa from credentials.yml: the settings are read here
        return cls(
            settings.teams,
            marks_for("pmo:teams:", "Teams replays", settings),
            body_cap=settings.max_body_bytes,
        )

    def __init__(
        self, settings: TeamsApp, seen: Optional[Marks] = None, body_cap: int = DEFAULT_MAX_BODY_BYTES
    ) -> None:
        self.settings = settings
        self.seen = seen if seen is not None else MemoryMarks()
        self.body_cap = body_cap
        self.keys = SigningKeys(settings.openid_url)
        self.token = AppToken(settings)
        self._in_background = BackgroundTasks("Teams")
        if not settings.enabled:
            logger.info("Teams channel off: set %s and %s to turn it on", APP_ID_ENV, APP_PASSWORD_ENV)

    async def authenticate(self, auth_header: Optional[str], activity: Dict[str, Any]) -> Dict[str, Any]:
        match = re.fullmatch(r"Bearer\s+(\S+)", (auth_header or "").strip())
        if not match:
            raise AuthError("no bearer token")
        token = match.group(1)
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.PyJWTError:
            raise AuthError("malformed token") from None
        keys = await self.keys.get(str(kid) if kid is not None else None)
        claims = validate_token(
            token, keys, self.settings, str(activity.get("serviceUrl") or ""), str(activity.get("channelId") or "")
        )
        check_tenant(activity, self.settings)
        return claims

    async def first_delivery(self, activity: Dict[str, Any], claims: Dict[str, Any]) -> bool:
        """False for an activity already taken by any replica (same channel, conversation and id).

        Kept while the token that carried it could carry it again (until it expires, plus
        the clock skew allowed), so a replay within that time is acknowledged and dropped.
        """
        activity_id = activity.get("id")
        if not activity_id:
            return True
        conversation = (activity.get("conversation") or {}).get("id")
        expires = claims.get("exp")
        left = float(expires) - time.time() if isinstance(expires, (int, float)) else REPLAY_SECONDS
        ttl = min(max(left, 0.0) + CLOCK_SKEW_SECONDS, REPLAY_SECONDS)
        return await self.seen.add(f"activity:{activity.get('channelId')}:{conversation}:{activity_id}", ttl)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        log_privacy.install()  # before the first message: no visitor text in the log
        webhook = Blueprint("pmo_teams_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.settings.enabled else "off"})

        cap = self.body_cap

        @webhook.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            if not self.settings.enabled:
                return response.text("Teams channel is not configured", status=HTTPStatus.SERVICE_UNAVAILABLE)
            if await read_body(request, cap) is None:
                return response.text(f"Body over {cap} bytes", status=HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
            try:
                activity = json.loads(request.body or b"")
            except ValueError:
                activity = None
            if not well_formed(activity):
                return response.text("Body must be a Bot Framework activity", status=HTTPStatus.BAD_REQUEST)
            try:
                claims = await self.authenticate(request.headers.get("Authorization"), activity)
            except AuthError as refusal:
                logger.warning("Teams request refused: %s", refusal)
                return response.text("Unauthorized", status=HTTPStatus.UNAUTHORIZED)
            except (aiohttp.ClientError, asyncio.TimeoutError, KeyError, ValueError) as exc:
                logger.error("Could not fetch Bot Framework signing keys: %s", type(exc).__name__)
                return response.text("Signing keys unavailable", status=HTTPStatus.SERVICE_UNAVAILABLE)
            if not await self.first_delivery(activity, claims):
                logger.info("Teams activity already taken, dropped")
                return response.text("")
            if activity.get("type") == "message":
                self._dispatch(on_new_message, activity)
            elif bot_added(activity):
                self._in_background.start(self._welcome(request.app, activity))
            return response.text("")

        return webhook

    def _dispatch(self, on_new_message: Callable[[UserMessage], Awaitable[Any]], activity: Dict[str, Any]) -> None:
        sender = (activity.get("from") or {}).get("id")
        conversation = activity.get("conversation") or {}
        if not sender or not conversation.get("id"):
            return
        metadata = {"channel_id": activity.get("channelId"), "conversation_type": conversation.get("conversationType")}
        output = TeamsOutput(self.token, activity)
        message = UserMessage(user_text(activity), output, str(sender), input_channel=self.name(), metadata=metadata)
        self._in_background.answer(on_new_message, message, before=output.typing)

    async def _welcome(self, app: Any, activity: Dict[str, Any]) -> None:
        """The greeting and main options, posted to the chat or team the bot was added to."""
        welcome = welcome_for(app, "teams")
        if welcome is None or not (activity.get("conversation") or {}).get("id"):
            return
        try:
            await TeamsOutput(self.token, activity, reply=False).send_text_with_buttons(
                "", welcome.text, welcome.button_list
            )
        except (aiohttp.ClientError, asyncio.TimeoutError, RuntimeError, KeyError) as exc:
            logger.error("Teams welcome not sent: %s", type(exc).__name__)
