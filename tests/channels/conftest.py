"""One real action server and Rasa server for the channel tests, with every
channel on: the socket.io widget (its allowed origin is the test page), Slack
and Teams pointed at local stubs through their environment variables."""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List

import jwt
import pytest
import requests
import yaml
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from harness import servers
from harness.stubs import Recorded, StubServer

ROOT = Path(__file__).resolve().parents[2]

SLACK_TOKEN = "xoxb-test-token"
SLACK_SECRET = "test-signing-secret"
APP_ID = "6a1c7a1e-0000-4000-8000-00000000b07a"
APP_PASSWORD = "test-app-password"
TENANT_ID = "7e9d0c2b-0000-4000-8000-0000000000aa"
ISSUER = "https://api.botframework.com"
ACCESS_TOKEN = "stub-bot-connector-token"
KEY_ID = "test-key"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def make_token(key: Any, service_url: str, algorithm: str = "RS256", kid: str = KEY_ID, **claims: Any) -> str:
    """A Bot Connector token; a claim set to None is left out."""
    now = int(time.time())
    body = {
        "iss": ISSUER,
        "aud": APP_ID,
        "serviceurl": service_url,
        "nbf": now - 10,
        "iat": now - 10,
        "exp": now + 3600,
    }
    body.update(claims)
    return jwt.encode({k: v for k, v in body.items() if v is not None}, key, algorithm=algorithm, headers={"kid": kid})


@dataclass
class Teams:
    stub: StubServer
    key: rsa.RSAPrivateKey
    forger: rsa.RSAPrivateKey
    key_fetches_at_start: int = -1

    @property
    def service_url(self) -> str:
        return self.stub.url + "/service/"

    def token(self, key: Any = None, **options: Any) -> str:
        return make_token(key if key is not None else self.key, service_url=self.service_url, **options)


@dataclass
class Stack:
    rasa_url: str
    page_url: str
    endpoints: Path
    log: Path
    slack: StubServer
    teams: Teams

    def assert_not_logged(self, *texts: str) -> None:
        log = self.log.read_text(errors="replace")
        for text in texts:
            assert text not in log, f"the server logged what the user wrote: {text!r}"

    def rest_conversation(self) -> Callable[[str], List[Dict[str, Any]]]:
        """A new REST conversation: call it with a message, get the replies.

        The other channels must say what the REST channel says (drawn their way),
        so their tests take the expected texts and buttons from here instead of
        copying answers that change.
        """
        sender = f"expected-{uuid.uuid4().hex[:12]}"

        def say(message: str) -> List[Dict[str, Any]]:
            reply = requests.post(
                self.rasa_url + "/webhooks/rest/webhook", timeout=120, json={"sender": sender, "message": message}
            )
            reply.raise_for_status()
            return reply.json()

        return say

    @property
    def slack_webhook(self) -> str:
        return self.rasa_url + "/webhooks/slack/webhook"

    @property
    def teams_webhook(self) -> str:
        return self.rasa_url + "/webhooks/teams/webhook"


RATE_LIMITED = "DRATE"  # the first post to a channel whose id starts so gets a 429 with Retry-After: 1
REVOKED = "DREVOKED"  # posts to a channel whose id starts so are refused as if the token were revoked


def _slack_stub() -> StubServer:
    limited: set = set()
    lock = threading.Lock()

    def post(request: Recorded) -> tuple:
        channel = str(request.json.get("channel") or "")
        if channel.startswith(RATE_LIMITED):
            with lock:
                first = channel not in limited
                limited.add(channel)
            if first:
                return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"}
        if channel.startswith(REVOKED):
            return 200, {"ok": False, "error": "token_revoked"}
        return 200, {"ok": True, "channel": channel, "ts": f"{time.time():.6f}"}

    def open_dm(request: Recorded) -> tuple:
        user = request.query.get("users") or ""
        if not user.startswith("U"):
            return 200, {"ok": False, "error": "user_not_found"}
        return 200, {"ok": True, "channel": {"id": "D" + user[1:]}}

    return (
        StubServer()
        .route("POST", "/api/chat.postMessage", post)
        .route("POST", "/api/chat.update", post)
        .route("POST", "/api/views.publish", lambda r: (200, {"ok": True, "view": {"id": "V1"}}))
        .route("POST", "/api/conversations.open", open_dm)
        .start()
    )


def _teams_stub(key: rsa.RSAPrivateKey) -> StubServer:
    stub = StubServer()
    jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update({"kid": KEY_ID, "use": "sig", "endorsements": ["msteams", "webchat"]})
    stub.route(
        "GET",
        "/openid",
        lambda r: (
            200,
            {"issuer": ISSUER, "jwks_uri": stub.url + "/keys", "id_token_signing_alg_values_supported": ["RS256"]},
        ),
    )
    stub.route("GET", "/keys", lambda r: (200, {"keys": [jwk]}))
    stub.route(
        "POST",
        f"/{TENANT_ID}/oauth2/v2.0/token",
        lambda r: (200, {"token_type": "Bearer", "expires_in": 3600, "access_token": ACCESS_TOKEN}),
    )
    stub.route_prefix("POST", "/service/v3/conversations/", lambda r: (200, {"id": f"reply-{time.time()}"}))
    return stub.start()


def _credentials(workdir: Path, page_origin: str) -> Path:
    """credentials.yml as committed, with the test page as the only allowed origin."""
    credentials: Dict[str, Any] = yaml.safe_load((ROOT / "credentials.yml").read_text())
    credentials["bot.channels.socketio.SocketIOInput"]["cors_allowed_origins"] = [page_origin]
    path = workdir / "credentials-channels.yml"
    path.write_text(yaml.safe_dump(credentials))
    return path


@pytest.fixture(scope="session")
def channels(tmp_path_factory) -> Iterator[Stack]:
    from web.build import build
    from web.serve import make_server

    if not servers.MODEL.exists():
        pytest.fail(f"no trained model at {servers.MODEL}: run `make train`")
    workdir = tmp_path_factory.mktemp("channels")
    dist = build(workdir / "dist")  # fails loudly without node_modules (make test runs npm ci)

    rasa_port = servers.free_port()
    page = make_server("127.0.0.1", 0, f"http://127.0.0.1:{rasa_port}", dist)
    threading.Thread(target=page.serve_forever, daemon=True).start()
    page_url = f"http://127.0.0.1:{page.server_address[1]}"

    key, forger = new_key(), new_key()
    slack, teams_stub = _slack_stub(), _teams_stub(key)
    teams = Teams(teams_stub, key, forger)

    actions = servers.action_server(workdir).start()
    endpoints = servers.write_endpoints(workdir, actions.port)
    rasa = servers.rasa_server(workdir, endpoints, port=rasa_port, credentials=_credentials(workdir, page_url))
    rasa.env = servers.base_env(
        SLACK_BOT_TOKEN=SLACK_TOKEN,
        SLACK_SIGNING_SECRET=SLACK_SECRET,
        SLACK_API_URL=slack.url + "/api/",
        MICROSOFT_APP_ID=APP_ID,
        MICROSOFT_APP_PASSWORD=APP_PASSWORD,
        MICROSOFT_APP_TYPE="SingleTenant",
        MICROSOFT_APP_TENANT_ID=TENANT_ID,
        TEAMS_OPENID_METADATA_URL=teams_stub.url + "/openid",
        TEAMS_LOGIN_URL=teams_stub.url,
        TEAMS_TOKEN_ISSUER=ISSUER,
    )
    try:
        rasa.start()
        teams.key_fetches_at_start = len(teams_stub.received(lambda r: r.method == "GET"))
        yield Stack(rasa.url, page_url, endpoints, rasa.log, slack, teams)
    finally:
        rasa.stop()
        actions.stop()
        page.shutdown()
        page.server_close()
        slack.stop()
        teams_stub.stop()
