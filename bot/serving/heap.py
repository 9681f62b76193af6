"""Tail latency: the objects loaded at start are left out of the garbage collector's full passes.

Python's full (oldest generation) collection walks every tracked object; a loaded Rasa
server holds a few million of them (Rasa, spaCy, scikit-learn, the model), all alive
for the life of the process, so each full pass stalls whichever turn triggers it.
Once the model has loaded, ``gc.freeze()`` moves them to the permanent generation
(what CPython documents for long-lived servers), so a full pass walks only what
turns allocate since. Nothing is freed differently: the frozen objects were never
garbage.
"""

from __future__ import annotations

import functools
import gc
from typing import Any

from bot.serving.patching import expect_function, originals, replace

NAME = "start-up objects frozen out of full garbage collections"


def freeze() -> int:
    """Collect once, then freeze what is left; returns how many objects were frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def install() -> None:
    import rasa.core.run

    original = expect_function(
        NAME,
        rasa.core.run,
        "load_agent_on_start",
        ("model_path", "endpoints", "remote_storage", "app", "loop"),
        is_async=True,
    )
    originals["rasa.core.run.load_agent_on_start (heap)"] = original

    @functools.wraps(original)  # other patches read its source through __wrapped__
    async def load_agent_on_start(model_path: str, endpoints: Any, remote_storage: Any, app: Any, loop: Any) -> Any:
        agent = await original(model_path, endpoints, remote_storage, app, loop)
        freeze()
        return agent

    replace(rasa.core.run, "load_agent_on_start", load_agent_on_start)
