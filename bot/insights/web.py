"""The staff insights site (Sanic, which ships with Rasa): read-only pages behind a password.

Every request needs HTTP Basic credentials whose password equals
``PMO_INSIGHTS_PASSWORD`` (compared in constant time; any user name); there is
no page, not even a stylesheet, without it, and the server refuses to start
without a password. Every page is a GET. Visitor text reaches the pages only
through Jinja2 with autoescaping, and every response carries a strict
Content-Security-Policy (no scripts at all, styles from this site only), so a
message such as ``<script>...`` shows as text. The counting runs in a
background task (:mod:`bot.insights.refresh`); a page only reads the small
insights tables.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
import time
from pathlib import Path
from typing import Any, Callable, Coroutine, Dict, Optional

from jinja2 import Environment, FileSystemLoader
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.engine import Engine

from bot.insights import pages
from bot.insights.refresh import prune, refresh
from bot.knowledge_base import KnowledgeBase, default_knowledge_base

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
REALM = "PMO Learning insights"
MIN_PASSWORD = 8
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def password_matches(header: Optional[str], password: str) -> bool:
    """Whether an ``Authorization: Basic ...`` header carries the password (constant time, any user name)."""
    given = b""
    if header and header[:6].lower() == "basic ":
        try:
            given = base64.b64decode(header[6:].strip(), validate=True).partition(b":")[2]
        except ValueError:
            given = b""
    # Digests first, so neither the length nor the content of the password leaks through timing.
    expected = hashlib.sha256(password.encode("utf-8")).digest()
    return hmac.compare_digest(hashlib.sha256(given).digest(), expected) and bool(given)


def templates() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(HERE / "templates")), autoescape=True, trim_blocks=True, lstrip_blocks=True
    )


def create_app(
    engine: Engine,
    password: str,
    kb: Optional[KnowledgeBase] = None,
    refresh_seconds: float = 10.0,
    lag_seconds: float = 5.0,
    prune_seconds: float = 600.0,
    name: str = "pmo_insights",
) -> Sanic:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"the insights password must have at least {MIN_PASSWORD} characters")
    app = Sanic(name)
    app.config.ACCESS_LOG = False
    app.config.REQUEST_MAX_SIZE = 16 * 1024
    env = templates()
    knowledge = kb or default_knowledge_base()
    stylesheet = (HERE / "static" / "insights.css").read_text(encoding="utf-8")

    async def off_loop(work: Callable[[], Any]) -> Any:
        return await asyncio.get_running_loop().run_in_executor(None, work)

    def render(template: str, context: Dict[str, Any], status: int = 200) -> HTTPResponse:
        return response.html(env.get_template(template).render(**context), status=status)

    @app.middleware("request")  # type: ignore[no-untyped-call]
    async def require_password(request: Request) -> Optional[HTTPResponse]:
        if password_matches(request.headers.get("authorization"), password):
            return None
        await asyncio.sleep(0.2)  # slows guessing down a little; the password must still be long
        page = render("login.html", {}, status=401)
        page.headers["WWW-Authenticate"] = f'Basic realm="{REALM}", charset="UTF-8"'
        return page

    @app.middleware("response")  # type: ignore[no-untyped-call]
    async def security_headers(request: Request, page: HTTPResponse) -> None:
        for header, value in SECURITY_HEADERS.items():
            page.headers[header] = value

    def page(
        template: str, build: Callable[[int], Dict[str, Any]]
    ) -> Callable[[Request], Coroutine[Any, Any, HTTPResponse]]:
        async def handler(request: Request) -> HTTPResponse:
            days = pages.period(request.args.get("days"))
            started = time.perf_counter()
            context = await off_loop(lambda: build(days))
            context.update(periods=pages.PERIODS, path=request.path, seconds=time.perf_counter() - started)
            return render(template, context)

        return handler

    app.add_route(
        page("overview.html", lambda days: pages.overview(engine, knowledge, days)),
        "/",
        methods=["GET"],
        name="overview",
    )
    app.add_route(
        page("unanswered.html", lambda days: pages.unanswered(engine, days)),
        "/unanswered",
        methods=["GET"],
        name="unanswered",
    )
    app.add_route(
        page("feedback.html", lambda days: pages.feedback(engine, days)), "/feedback", methods=["GET"], name="feedback"
    )
    app.add_route(
        page("enquiries.html", lambda days: pages.enquiries(engine, days)),
        "/enquiries",
        methods=["GET"],
        name="enquiries",
    )

    @app.get("/insights.css")
    async def css(request: Request) -> HTTPResponse:
        return response.text(stylesheet, content_type="text/css; charset=utf-8")

    async def keep_counting() -> None:
        last_prune = 0.0
        while True:
            try:
                result = await off_loop(lambda: refresh(engine, lag=lag_seconds))
                if result.facts:
                    logger.info("Insights: %d events read, watermark %d", result.events_read, result.watermark)
                if time.monotonic() - last_prune > prune_seconds:
                    await off_loop(lambda: prune(engine))
                    last_prune = time.monotonic()
            except Exception as error:  # the database may be away; pages show what was counted
                logger.warning("Insights refresh failed (%s); retrying", type(error).__name__)
            await asyncio.sleep(refresh_seconds)

    @app.after_server_start
    async def start_counting(app: Sanic, _loop: Any) -> None:
        app.add_task(keep_counting())

    return app
