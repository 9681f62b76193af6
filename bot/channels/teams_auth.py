"""Bot Framework authentication for the Teams connector.

- :class:`TeamsApp` (:mod:`bot.settings`): the app's credentials and Microsoft's endpoints
  (single-tenant bots get their token from their own tenant, multi-tenant ones from
  ``botframework.com``);
- :func:`validate_token`: an incoming token must be signed (RS256 only) by a published key
  that endorses the activity's channel, for our app id, by an accepted issuer, unexpired,
  with a ``serviceUrl`` claim matching the activity's (and, for a single-tenant bot, a
  ``tid`` claim, when there is one, naming its tenant);
- :func:`check_tenant`: a single-tenant bot refuses an activity from another tenant
  (``conversation.tenantId``, ``channelData.tenant.id``);
- :class:`SigningKeys`: Microsoft's keys, fetched on the first request (not at start, so the
  server starts offline), cached for a day and refreshed when an unknown key id shows up;
- :class:`AppToken`: the bot's own token for the Bot Connector API, renewed before expiry.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Set

import aiohttp
import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from jwt.algorithms import RSAAlgorithm

from bot.settings import TeamsApp as TeamsApp

logger = logging.getLogger(__name__)

SCOPE = "https://api.botframework.com/.default"
CLOCK_SKEW_SECONDS = 5 * 60
KEYS_MAX_AGE_SECONDS = 24 * 3600
KEYS_MIN_REFRESH_SECONDS = 60
HTTP_TIMEOUT = aiohttp.ClientTimeout(total=15)


class AuthError(Exception):
    """Why an incoming request is not from the Bot Framework (safe to log)."""


def same_url(a: str, b: str) -> bool:
    return a.rstrip("/").lower() == b.rstrip("/").lower()


def service_url_claim(claims: Dict[str, Any]) -> Optional[str]:
    # Microsoft's docs spell it serviceUrl, its SDKs read serviceurl.
    for name, value in claims.items():
        if name.lower() == "serviceurl" and isinstance(value, str):
            return value
    return None


def validate_token(
    token: str, keys: Dict[str, Dict[str, Any]], settings: TeamsApp, service_url: str, channel_id: str
) -> Dict[str, Any]:
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
        if not isinstance(public_key, RSAPublicKey):
            raise AuthError("signing key is not an RSA public key")
        claims = jwt.decode(
            token,
            public_key,
            algorithms=["RS256"],
            audience=settings.app_id,
            issuer=list(settings.issuers),
            leeway=CLOCK_SKEW_SECONDS,
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
    tid = claims.get("tid")
    if settings.single_tenant and tid is not None and str(tid).lower() != settings.tenant_id.lower():
        raise AuthError("token from another tenant")
    return claims


def activity_tenants(activity: Dict[str, Any]) -> Set[str]:
    """Every tenant an activity names (Teams puts it in ``conversation`` and ``channelData``), lower-cased."""
    conversation, data = activity.get("conversation"), activity.get("channelData")
    named = [
        conversation.get("tenantId") if isinstance(conversation, dict) else None,
        (data.get("tenant") or {}).get("id")
        if isinstance(data, dict) and isinstance(data.get("tenant"), dict)
        else None,
    ]
    return {str(t).strip().lower() for t in named if t is not None}


def check_tenant(activity: Dict[str, Any], settings: TeamsApp) -> None:
    """A single-tenant bot answers its own tenant only: every tenant the activity names must be
    the bot's, and a Teams activity (which always names one) must name it."""
    if not settings.single_tenant:
        return
    tenants = activity_tenants(activity)
    if tenants - {settings.tenant_id.lower()}:
        raise AuthError("activity from another tenant")
    if not tenants and activity.get("channelId") == "msteams":
        raise AuthError("Teams activity without a tenant")


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

    settings: TeamsApp
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
