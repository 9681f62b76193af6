"""Failure: a server whose model did not load refuses to run instead of apologising forever.

Rasa 3.6 catches every error while loading the model at start (``load_agent``
logs it), reports "Rasa server is up and running" and then answers each message
with nothing, which our channels turn into the apology: a replica that can never
answer passes a load balancer's health check. Here the start-up listener checks
that the agent is ready when a model was named, and otherwise stops the process
with the reason, so a broken or incompatible model is seen at deploy time.
"""

from __future__ import annotations

import logging
from typing import Any, Optional, Text

from bot.serving.patching import expect_function, originals, replace

NAME = "a server whose model did not load refuses to start"
logger = logging.getLogger(__name__)


class ModelNotLoaded(RuntimeError):
    """The model named on the command line could not be loaded."""


def install() -> None:
    import rasa.core.run

    original = expect_function(
        NAME,
        rasa.core.run,
        "load_agent_on_start",
        ("model_path", "endpoints", "remote_storage", "app", "loop"),
        is_async=True,
        source_has=("app.ctx.agent = await agent.load_agent(",),
    )
    originals["rasa.core.run.load_agent_on_start"] = original

    async def load_agent_on_start(
        model_path: Text, endpoints: Any, remote_storage: Optional[Text], app: Any, loop: Any
    ) -> Any:
        loaded = await original(model_path, endpoints, remote_storage, app, loop)
        if model_path and (loaded is None or not loaded.is_ready()):
            logger.error("The model %s could not be loaded (see the error above); refusing to serve.", model_path)
            raise ModelNotLoaded(f"the model {model_path} could not be loaded; see the log above")
        return loaded

    replace(rasa.core.run, "load_agent_on_start", load_agent_on_start)
