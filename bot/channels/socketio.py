"""Rasa's socket.io channel with an origin allow-list, for the website widget.

Rasa 3.6.21 builds its socket.io server with ``cors_allowed_origins=[]``,
which turns python-engineio's origin check off: any website could embed the
assistant. This channel reads ``cors_allowed_origins`` from the credentials
(a list of origins such as ``https://www.pmolearning.co.uk``, or ``"*"``) and
refuses a browser connection from any other origin with a 400. New connections
from one client address are limited by ``PMO_RATE_LIMIT_PER_ADDRESS``, as the front
door limits new sessions (beyond it the connection is refused with
``TOO_MANY_CONNECTIONS``, socket.io's ``connect_error``). It also awaits
``enter_room`` when python-socketio makes it a coroutine (5.10 and newer), so
``session_persistence`` works whichever version is installed, and it never
logs what the visitor wrote. A turn that sends the visitor nothing (the action
server is down, say) gets the REST channel's apology, so the widget is never silent.

The widget's thumbs up/down on an answer arrive as the socket.io event
``pmo_feedback`` on the same connection and are kept in that conversation as a
``SlotSet`` of ``answer_feedback`` (:mod:`bot.channels.feedback`): only for the
session this socket opened, only for an answer the bot gave in it, rate limited
like messages, a few at a time and bounded in time. The event's acknowledgement
says ``{"ok": true}`` or ``{"ok": false, "reason": ...}``.

Text is drawn for the widget by :func:`bot.render.to_widget_markdown` (lists
kept apart from the paragraphs around them, line breaks kept, bare URLs as
exact links) and an answer is one message: Rasa's own output cut it into a
message per paragraph, each in its own bubble.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import uuid
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text, Union

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage, decode_bearer_token
from rasa.core.channels.socketio import SocketBlueprint
from rasa.core.channels.socketio import SocketIOInput as _RasaSocketIOInput
from rasa.core.channels.socketio import SocketIOOutput as _RasaSocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer
from socketio import exceptions as socketio_errors

from bot.channels import log_privacy
from bot.channels.feedback import FEEDBACK_EVENT, parse_rating, record
from bot.channels.limits import MAX_TEXT_CHARS, SLOW_DOWN, Limits, client_address
from bot.channels.rest import APOLOGY, MAX_METADATA_BYTES, metadata_bytes, run_turn
from bot.render import BARE_URL, link_urls, to_widget_markdown
from bot.settings import Settings, load

__all__ = ["BARE_URL", "SocketIOInput", "SocketIOOutput", "answer_or_apologise", "link_urls", "parse_origins"]

logger = logging.getLogger(__name__)

MAX_SESSION_ID_CHARS = 128
MAX_FEEDBACK_AT_ONCE = 4  # ratings being stored at once per process; more are refused, not queued
FEEDBACK_TIMEOUT = 10.0  # seconds to store one rating (lock, read, write)
# The refusal a client gets (socket.io's connect_error) beyond PMO_RATE_LIMIT_PER_ADDRESS new connections.
TOO_MANY_CONNECTIONS = "Too many new connections from this address. Please wait a moment and try again."

Origins = Union[str, List[str]]


def quick_reply(button: Dict[str, Any]) -> Dict[str, Any]:
    """A button as rasa-webchat's quick reply (a link button opens its URL)."""
    title = str(button.get("title", ""))
    if button.get("url") and not button.get("payload"):
        return {"content_type": "text", "type": "web_url", "title": title, "url": button["url"]}
    return {"content_type": "text", "title": title, "payload": str(button.get("payload", title))}


class SocketIOOutput(_RasaSocketIOOutput):
    """Rasa's socket.io output, one message per answer drawn for the widget; counts what it sent."""

    def __init__(self, sio: AsyncServer, bot_message_evt: Text) -> None:
        super().__init__(sio, bot_message_evt)
        self.sent = 0

    async def _send_message(self, socket_id: Text, response: Any) -> None:
        if isinstance(response, dict) and isinstance(response.get("text"), str):
            response = {**response, "text": to_widget_markdown(response["text"])}
        await super()._send_message(socket_id, response)
        self.sent += 1

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._send_message(recipient_id, {"text": text})

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        await self._send_message(recipient_id, {"text": text, "quick_replies": [quick_reply(b) for b in buttons]})


async def answer_or_apologise(
    on_new_message: Callable[[UserMessage], Awaitable[Any]], message: UserMessage, output: SocketIOOutput
) -> None:
    """Run one turn; if it failed (an action timed out, say) or sent nothing, apologise.

    The REST channel's rule: never leave the widget silent, never show a stack
    trace, never log what the visitor wrote.
    """
    failed = await run_turn(on_new_message, message, "socketio")
    if failed or not output.sent:
        await output.send_text_message(message.sender_id, APOLOGY)


def refused(reason: str) -> Dict[str, Any]:
    """The acknowledgement of a rating not stored (the reason names no user text)."""
    logger.info("socketio: rating refused: %s", reason)
    return {"ok": False, "reason": reason}


def parse_origins(value: Any) -> Origins:
    """``"*"``, or a list of origins (scheme://host[:port], no trailing slash)."""
    if value is None:
        return []
    if value == "*":
        return "*"
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ValueError("socketio: 'cors_allowed_origins' must be \"*\" or a list of origins")
    return [v.rstrip("/") for v in value]


class SocketIOInput(_RasaSocketIOInput):
    @classmethod
    def name(cls) -> Text:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = credentials or {}
        channel = cls(
            credentials.get("user_message_evt", "user_uttered"),
            credentials.get("bot_message_evt", "bot_uttered"),
            credentials.get("namespace"),
            credentials.get("session_persistence", False),
            credentials.get("socketio_path", "/socket.io"),
            credentials.get("jwt_key"),
            credentials.get("jwt_method", "HS256"),
            credentials.get("metadata_key", "metadata"),
        )
        channel.cors_allowed_origins = parse_origins(credentials.get("cors_allowed_origins"))
        channel.settings = load()  # built by Rasa from credentials.yml: the settings are read here
        if not channel.cors_allowed_origins:
            logger.warning("socketio: no cors_allowed_origins configured; browsers on any other site are refused")
        return channel

    cors_allowed_origins: Origins = []
    settings: Settings = Settings()  # every setting's default until Rasa builds the channel

    def get_output_channel(self) -> Optional[OutputChannel]:
        return SocketIOOutput(self.sio, self.bot_message_evt) if self.sio is not None else super().get_output_channel()

    def _server(self) -> AsyncServer:
        origins = self.cors_allowed_origins
        # python-engineio reads [] as "no check at all"; an empty allow-list
        # must mean "same origin only", which is what None gives.
        return AsyncServer(async_mode="sanic", cors_allowed_origins=origins or None)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        log_privacy.install()  # before the first message: no visitor text in the log
        sio = self._server()
        webhook: Blueprint = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        self.sio = sio

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        settings = self.settings
        limits, proxies = Limits.from_settings("socketio", settings), settings.trusted_proxies
        connections = Limits.from_settings(
            "socketio-connect", settings, per_sender=False
        )  # new connections per address
        feedback_limits = Limits.from_settings("socketio-feedback", settings)  # same rates, counted apart from messages
        addresses: Dict[Text, str] = {}  # the client address of each connected socket, for the limit
        sessions: Dict[Text, Text] = {}  # the session (conversation) id each socket asked for
        storing = asyncio.Semaphore(MAX_FEEDBACK_AT_ONCE)
        app: Dict[str, Any] = {}  # the Sanic app, for its agent (seen on the first connection)

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: Text, environ: Dict[str, Any], auth: Optional[Dict[str, Any]]) -> bool:
            request = environ.get("sanic.request")  # engineio's own REMOTE_ADDR is always 127.0.0.1
            if request is not None:
                app.setdefault("app", request.app)
                address = client_address(request.ip, request.headers.get("x-forwarded-for"), proxies)
                if connections.on and not (await connections.check("", address)).allowed:
                    logger.info("socketio: a new connection refused: too many from one address")
                    raise socketio_errors.ConnectionRefusedError(TOO_MANY_CONNECTIONS)
                if limits.on or feedback_limits.on:
                    addresses[sid] = address
            if not self.jwt_key:
                return True
            token = auth.get("token") if isinstance(auth, dict) else None
            return bool(token and decode_bearer_token(token, self.jwt_key, self.jwt_algorithm))

        @sio.on("disconnect", namespace=self.namespace)
        async def disconnect(sid: Text, *_: Any) -> None:  # newer python-socketio pass a reason
            addresses.pop(sid, None)
            sessions.pop(sid, None)

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: Text, data: Optional[Dict[str, Any]]) -> None:
            data = data if isinstance(data, dict) else {}
            session_id = data.get("session_id")
            if not isinstance(session_id, str) or not session_id.strip() or len(session_id) > MAX_SESSION_ID_CHARS:
                session_id = uuid.uuid4().hex  # an over-long id is replaced, never cut (two would merge)
            if self.session_persistence:
                entered = sio.enter_room(sid, session_id, namespace=self.namespace)
                if inspect.isawaitable(entered):
                    await entered
                sessions[sid] = session_id
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: Text, data: Any) -> None:
            if not isinstance(data, dict):
                return
            if self.session_persistence:
                session_id = data.get("session_id")
                if not isinstance(session_id, str) or not session_id or len(session_id) > MAX_SESSION_ID_CHARS:
                    logger.warning("socketio: message without a valid session_id ignored")
                    return
                sender_id = session_id
            else:
                sender_id = sid
            text = data.get("message", "")
            if not isinstance(text, str):
                return
            metadata = data.get(self.metadata_key) or {}
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except ValueError:
                    metadata = {}
            if not isinstance(metadata, dict) or metadata_bytes(metadata) > MAX_METADATA_BYTES:
                metadata = {}  # none, or too big to store with every message
            output = SocketIOOutput(sio, self.bot_message_evt)
            if limits.on and not (await limits.check(sender_id, addresses.get(sid))).allowed:
                await output.send_text_message(sender_id, SLOW_DOWN)  # polite, and no turn is run
                return
            message = UserMessage(
                text[:MAX_TEXT_CHARS], output, sender_id, input_channel=self.name(), metadata=metadata
            )
            await answer_or_apologise(on_new_message, message, output)

        @sio.on(FEEDBACK_EVENT, namespace=self.namespace)
        async def handle_feedback(sid: Text, data: Any) -> Dict[str, Any]:
            rating = parse_rating(data)
            if isinstance(rating, str):
                return refused(rating)
            if self.session_persistence:
                sender_id = sessions.get(sid)
                if sender_id is None or data.get("session_id") != sender_id:
                    return refused("not this connection's session")
            else:
                sender_id = sid
            if feedback_limits.on and not (await feedback_limits.check(sender_id, addresses.get(sid))).allowed:
                return refused("too many ratings")
            agent = getattr(getattr(app.get("app"), "ctx", None), "agent", None)
            if agent is None or storing.locked():
                return refused("busy")
            async with storing:
                try:
                    why = await asyncio.wait_for(record(agent, sender_id, rating, to_widget_markdown), FEEDBACK_TIMEOUT)
                except Exception as error:  # a rating lost must never break the chat
                    logger.error("socketio: rating not stored (%s)", type(error).__name__)
                    return refused("not stored")
            return {"ok": True} if why is None else refused(why)

        return webhook
