"""Microsoft Teams (Bot Framework) connector, replacing Rasa's ``botframework``.

What it fixes in ``rasa.core.channels.botframework`` (Rasa 3.6.21):

- credentials come from the environment (``MICROSOFT_APP_ID``,
  ``MICROSOFT_APP_PASSWORD``, ``MICROSOFT_APP_TYPE``,
  ``MICROSOFT_APP_TENANT_ID``); single-tenant bots get their token from their
  own tenant, multi-tenant ones from ``botframework.com``. Without them the
  webhook answers 503 and the rest of the server runs as usual;
- nothing is fetched at start: the OpenID metadata and signing keys are
  fetched on the first request (``TEAMS_OPENID_METADATA_URL``), cached for a
  day and refreshed when an unknown key id shows up, so the server starts
  offline;
- incoming tokens are checked for an RS256 signature by a published key that
  endorses the activity's channel, audience (our app id), issuer
  (``TEAMS_TOKEN_ISSUER``), expiry and the ``serviceUrl`` claim, which must
  match the activity's ``serviceUrl``; anything else is a 401;
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
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Optional, Text
from urllib.parse import quote

import aiohttp
import jwt
from jwt.algorithms import RSAAlgorithm
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.background import BackgroundTasks
from bot.channels.body import max_body_bytes, read_body
from bot.channels.limits import MAX_TEXT_CHARS
from bot.channels.welcome import welcome_for
from bot.render import to_teams
from bot.serving import waiting_on_io

logger = logging.getLogger(__name__)

APP_ID_ENV = "MICROSOFT_APP_ID"
APP_PASSWORD_ENV = "MICROSOFT_APP_PASSWORD"
APP_TYPE_ENV = "MICROSOFT_APP_TYPE"
TENANT_ENV = "MICROSOFT_APP_TENANT_ID"
OPENID_ENV = "TEAMS_OPENID_METADATA_URL"
LOGIN_ENV = "TEAMS_LOGIN_URL"
ISSUER_ENV = "TEAMS_TOKEN_ISSUER"

DEFAULT_OPENID_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
DEFAULT_LOGIN_URL = "https://login.microsoftonline.com"
DEFAULT_ISSUER = "https://api.botframework.com"
MULTI_TENANT = "botframework.com"
SCOPE = "https://api.botframework.com/.default"
CLOCK_SKEW_SECONDS = 5 * 60
KEYS_MAX_AGE_SECONDS = 24 * 3600
KEYS_MIN_REFRESH_SECONDS = 60
HTTP_TIMEOUT = aiohttp.ClientTimeout(total=15)
MENTION = re.compile(r"<at>[^<]*</at>", re.IGNORECASE)


class AuthError(Exception):
    """Why an incoming request is not from the Bot Framework (safe to log)."""


@dataclass(frozen=True)
class Settings:
    app_id: str
    app_password: str
    tenant_id: str
    openid_url: str
    login_url: str
    issuers: tuple

    @classmethod
    def from_env(cls, env: Optional[Dict[str, str]] = None) -> "Settings":
        env = dict(os.environ if env is None else env)
        app_type = (env.get(APP_TYPE_ENV) or "").strip().lower()
        tenant = (env.get(TENANT_ENV) or "").strip()
        if app_type == "multitenant":
            tenant = MULTI_TENANT
        elif app_type not in ("", "singletenant"):
            raise ValueError(f"{APP_TYPE_ENV} must be SingleTenant or MultiTenant (managed identities are not supported)")
        elif app_type == "singletenant" and not tenant:
            raise ValueError(f"{APP_TYPE_ENV}=SingleTenant needs {TENANT_ENV}")
        issuers = tuple(i.strip() for i in (env.get(ISSUER_ENV) or DEFAULT_ISSUER).split(",") if i.strip())
        return cls(
            app_id=(env.get(APP_ID_ENV) or "").strip(),
            app_password=env.get(APP_PASSWORD_ENV) or "",
            tenant_id=tenant or MULTI_TENANT,
            openid_url=env.get(OPENID_ENV) or DEFAULT_OPENID_URL,
            login_url=(env.get(LOGIN_ENV) or DEFAULT_LOGIN_URL).rstrip("/"),
            issuers=issuers,
        )

    @property
    def enabled(self) -> bool:
        return bool(self.app_id and self.app_password)

    @property
    def token_url(self) -> str:
        return f"{self.login_url}/{self.tenant_id}/oauth2/v2.0/token"


def same_url(a: str, b: str) -> bool:
    return a.rstrip("/").lower() == b.rstrip("/").lower()


def service_url_claim(claims: Dict[str, Any]) -> Optional[str]:
    # Microsoft's docs spell it serviceUrl, its SDKs read serviceurl.
    for name, value in claims.items():
        if name.lower() == "serviceurl" and isinstance(value, str):
            return value
    return None


def validate_token(token: str, keys: Dict[str, Dict[str, Any]], settings: Settings,
                   service_url: str, channel_id: str) -> Dict[str, Any]:
    """The token's claims, or :class:`AuthError` saying why it is refused."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise AuthError("malformed token") from None
    if header.get("alg") != "RS256":
        raise AuthError("token not signed with RS256")
    jwk = keys.get(str(header.get("kid")))
    if jwk is None:
        raise AuthError("unknown signing key")
    endorsements = jwk.get("endorsements")
    if isinstance(endorsements, list) and channel_id not in endorsements:
        raise AuthError("signing key does not endorse this channel")
    try:
        public_key = RSAAlgorithm.from_jwk(json.dumps(jwk))
        claims = jwt.decode(
            token, public_key, algorithms=["RS256"], audience=settings.app_id,
            issuer=list(settings.issuers), leeway=CLOCK_SKEW_SECONDS,
            options={"require": ["exp", "iss", "aud"]},
        )
    except jwt.ExpiredSignatureError:
        raise AuthError("token expired") from None
    except jwt.InvalidAudienceError:
        raise AuthError("wrong audience") from None
    except jwt.InvalidIssuerError:
        raise AuthError("wrong issuer") from None
    except (jwt.PyJWTError, ValueError, TypeError):
        raise AuthError("bad signature or claims") from None
    claimed = service_url_claim(claims)
    if claimed is None or not same_url(claimed, service_url):
        raise AuthError("serviceUrl does not match the token")
    return claims


@dataclass
class SigningKeys:
    """Bot Framework's published keys, fetched lazily and cached."""

    openid_url: str
    keys: Dict[str, Dict[str, Any]] = field(default_factory=dict)
    fetched_at: float = 0.0
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def get(self, kid: Optional[str]) -> Dict[str, Dict[str, Any]]:
        now = time.monotonic()
        stale = not self.fetched_at or now - self.fetched_at > KEYS_MAX_AGE_SECONDS
        unknown = kid is not None and kid not in self.keys and now - self.fetched_at > KEYS_MIN_REFRESH_SECONDS
        if stale or unknown:
            async with self._lock:
                if self.fetched_at == 0.0 or time.monotonic() - self.fetched_at > KEYS_MIN_REFRESH_SECONDS:
                    await self._refresh()
        return self.keys

    async def _refresh(self) -> None:
        async with aiohttp.ClientSession(timeout=HTTP_TIMEOUT) as session:
            async with session.get(self.openid_url) as reply:
                reply.raise_for_status()
                metadata = await reply.json(content_type=None)
            async with session.get(metadata["jwks_uri"]) as reply:
                reply.raise_for_status()
                jwks = await reply.json(content_type=None)
        self.keys = {k["kid"]: k for k in jwks.get("keys", []) if isinstance(k, dict) and "kid" in k}
        self.fetched_at = time.monotonic()
        logger.info("Bot Framework signing keys fetched (%d keys)", len(self.keys))


@dataclass
class AppToken:
    """The bot's own access token for the Bot Connector API, renewed before expiry."""

    settings: Settings
    value: str = ""
    expires_at: float = 0.0
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def get(self, session: aiohttp.ClientSession) -> str:
        async with self._lock:
            if not self.value or time.monotonic() > self.expires_at - 300:
                form = {
                    "grant_type": "client_credentials",
                    "client_id": self.settings.app_id,
                    "client_secret": self.settings.app_password,
                    "scope": SCOPE,
                }
                async with session.post(self.settings.token_url, data=form) as reply:
                    if reply.status != 200:
                        raise RuntimeError(f"token endpoint answered {reply.status}")
                    body = await reply.json(content_type=None)
                self.value = body["access_token"]
                self.expires_at = time.monotonic() + int(body.get("expires_in", 3600))
            return self.value


def card_action(button: Dict[str, Any]) -> Dict[str, Any]:
    title = str(button.get("title", ""))
    if button.get("url"):
        return {"type": "openUrl", "title": title, "value": button["url"]}
    payload = str(button.get("payload", title))
    if payload.startswith("/"):
        return {"type": "messageBack", "title": title, "displayText": title, "text": payload,
                "value": {"payload": payload}}
    return {"type": "imBack", "title": title, "value": payload}


def hero_card(buttons: Iterable[Dict[str, Any]]) -> Dict[str, Any]:
    """A hero card holding the buttons (the answer is the message's text)."""
    return {"contentType": "application/vnd.microsoft.card.hero",
            "content": {"buttons": [card_action(b) for b in buttons]}}


def bot_added(activity: Dict[str, Any]) -> bool:
    """A ``conversationUpdate`` that adds this bot (not someone else) to a chat or team."""
    bot = (activity.get("recipient") or {}).get("id")
    added = activity.get("membersAdded")
    return (activity.get("type") == "conversationUpdate" and bool(bot) and isinstance(added, list)
            and any(isinstance(m, dict) and m.get("id") == bot for m in added))


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
        activity = {"type": "message", "from": self.bot, "recipient": self.user,
                    "conversation": {"id": self.conversation.get("id")}}
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

    async def send_text_with_buttons(self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]],
                                     **kwargs: Any) -> None:
        await self._send(self._activity(text=to_teams(text), textFormat="markdown", attachments=[hero_card(buttons)]))

    async def send_quick_replies(self, recipient_id: Text, text: Text, quick_replies: List[Dict[Text, Any]],
                                 **kwargs: Any) -> None:
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
        return cls(Settings.from_env())

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.keys = SigningKeys(settings.openid_url)
        self.token = AppToken(settings)
        self._in_background = BackgroundTasks("Teams")
        if not settings.enabled:
            logger.info("Teams channel off: set %s and %s to turn it on", APP_ID_ENV, APP_PASSWORD_ENV)

    async def authenticate(self, auth_header: Optional[str], activity: Dict[str, Any]) -> None:
        match = re.fullmatch(r"Bearer\s+(\S+)", (auth_header or "").strip())
        if not match:
            raise AuthError("no bearer token")
        token = match.group(1)
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.PyJWTError:
            raise AuthError("malformed token") from None
        keys = await self.keys.get(str(kid) if kid is not None else None)
        validate_token(token, keys, self.settings, str(activity.get("serviceUrl") or ""),
                       str(activity.get("channelId") or ""))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("pmo_teams_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.settings.enabled else "off"})

        cap = max_body_bytes()

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
            if not isinstance(activity, dict) or not isinstance(activity.get("serviceUrl"), str):
                return response.text("Body must be a Bot Framework activity", status=HTTPStatus.BAD_REQUEST)
            try:
                await self.authenticate(request.headers.get("Authorization"), activity)
            except AuthError as refusal:
                logger.warning("Teams request refused: %s", refusal)
                return response.text("Unauthorized", status=HTTPStatus.UNAUTHORIZED)
            except (aiohttp.ClientError, asyncio.TimeoutError, KeyError, ValueError) as exc:
                logger.error("Could not fetch Bot Framework signing keys: %s", type(exc).__name__)
                return response.text("Signing keys unavailable", status=HTTPStatus.SERVICE_UNAVAILABLE)
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
                "", welcome.text, welcome.button_list)
        except (aiohttp.ClientError, asyncio.TimeoutError, RuntimeError, KeyError) as exc:
            logger.error("Teams welcome not sent: %s", type(exc).__name__)
