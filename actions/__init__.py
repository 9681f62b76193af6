"""Rasa SDK custom actions: thin glue between the tracker and ``bot``.

Also a rasa-sdk plugin (``attach_sanic_app_extensions``, rasa_sdk/plugin.py), the
action server's start: it listens on 127.0.0.1 unless ``SANIC_HOST`` says otherwise, and
delivers enquiry notifications in a background thread (:mod:`bot.outbox`) while it runs,
so `make run` and `make web` need nothing more. The actions read the settings
(:mod:`bot.settings`) through :func:`settings`, once.
"""

import logging
import os
from typing import Any, Optional

import pluggy
from rasa_sdk.plugin import plugin_manager

from bot.outbox import Background, SettingsError, worker_for
from bot.settings import Settings, load
from bot.storage.database import database_url
from bot.storage.schema import refuse_to_start_if_behind

logger = logging.getLogger(__name__)
hookimpl = pluggy.HookimplMarker("rasa_sdk")


def settings() -> Settings:
    """The settings as the environment gives them now: the actions' one way to read it.

    Not cached here: what is built from them is (the enquiry store, the notification
    settings, the worker), once per process, as before.
    """
    return load()


def listen_locally() -> None:
    """The action server is internal: Rasa calls it, nobody else should reach it.

    rasa_sdk binds 0.0.0.0 unless ``SANIC_HOST`` (Sanic's own variable) says otherwise,
    and reads it after calling the plugins (``rasa_sdk.endpoint.run``), so this makes
    127.0.0.1 the default for every way of starting it. A deployment whose Rasa replicas
    run on other hosts sets ``SANIC_HOST`` to the private interface (README, "Production").
    Only the action server's start calls this: importing the actions changes nothing.
    """
    os.environ.setdefault("SANIC_HOST", "127.0.0.1")


class OutboxPlugin:
    """Starts the outbox worker with the server and stops it with the server (one per Sanic worker)."""

    def __init__(self) -> None:
        self.background: Optional[Background] = None

    @hookimpl
    def attach_sanic_app_extensions(self, app: Any) -> None:
        listen_locally()
        schema_check = refuse_to_start_if_behind(database_url(settings()))
        app.register_listener(schema_check, "before_server_start")  # schema of this release
        app.register_listener(self.start, "after_server_start")
        app.register_listener(self.stop, "before_server_stop")

    async def start(self, app: Any, loop: Any) -> None:
        # Reads settings and makes an engine (no I/O); the thread does the database and network work.
        current = settings()
        try:
            worker = worker_for(current)
        except SettingsError as error:  # the assistant keeps running; enquiries are stored, not sent
            logger.error("Enquiry notifications off: %s", error)
            return
        if worker is None:
            logger.info("Enquiry notifications off (PMO_SMTP_URL / PMO_ENQUIRY_WEBHOOK_URL unset)")
            return
        self.background = Background(worker, current.outbox_poll_seconds).start()
        logger.info("Enquiry notifications on: %s", ", ".join(worker.settings.channels))

    async def stop(self, app: Any, loop: Any) -> None:
        if self.background is not None:
            background, self.background = self.background, None
            await loop.run_in_executor(None, background.stop)


PLUGIN_NAME = "pmo-outbox"
if not plugin_manager().has_plugin(PLUGIN_NAME):
    plugin_manager().register(OutboxPlugin(), name=PLUGIN_NAME)
