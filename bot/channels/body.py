"""A cap on the request body of the REST, Slack and Teams webhooks.

Sanic itself refuses only bodies over ``REQUEST_MAX_SIZE`` (100 MB, and Rasa's
own HTTP API needs that much for model uploads), and reads the whole body
before the handler runs. These webhooks stream it instead and stop reading at
``PMO_MAX_BODY_BYTES`` (default 64 KB; a REST message is at most 5,000
characters and 4 KB of metadata, a Slack or Teams message a few KB), so an
oversized body costs no more memory than the cap. The cap is ``settings.max_body_bytes``
(:mod:`bot.settings`).
"""

from __future__ import annotations

from typing import Optional

from sanic.request import Request

from bot.settings import DEFAULT_MAX_BODY_BYTES as DEFAULT_MAX_BODY_BYTES


async def read_body(request: Request, cap: int) -> Optional[bytes]:
    """The body of a ``stream=True`` route, or None when it is longer than ``cap`` bytes.

    Sets ``request.body`` too, so ``request.form`` and signature checks work as usual.
    What is left of a refused body is discarded by Sanic, not kept.
    """
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > cap:
        return None
    if request.stream is None:  # not streamed: Sanic has read it already
        return None if len(request.body or b"") > cap else (request.body or b"")
    chunks, size = [], 0
    while True:
        chunk = await request.stream.read()
        if chunk is None:
            break
        size += len(chunk)
        if size > cap:
            return None
        chunks.append(chunk)
    request.body = b"".join(chunks)
    return request.body
