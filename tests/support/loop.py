"""Checks that an event loop keeps turning while something runs."""

from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Tuple


async def ticks_while(work: Awaitable[Any], every: float = 0.01) -> Tuple[int, Any]:
    """(how many times a background task woke up while ``work`` ran, ``work``'s result or exception)."""
    ticks = 0

    async def other_visitors() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(every)
            ticks += 1

    others = asyncio.create_task(other_visitors())
    try:
        result: Any = await work
    except Exception as error:  # the caller checks what was raised
        result = error
    finally:
        others.cancel()
    return ticks, result
