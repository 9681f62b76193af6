"""The action server delivers on its own: the rasa-sdk plugin's background worker, over real HTTP and SMTP."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Dict

import pytest
import requests
import yaml

from bot.outbox import Outbox
from bot.storage.database import make_engine
from harness import servers
from tests.outbox.conftest import SmtpSink, WebhookStub, outbox_env

pytestmark = pytest.mark.slow

SLOTS = {
    "enquiry_name": "Jane Smith",
    "enquiry_email": "jane@acme.co.uk",
    "enquiry_organisation": "Acme",
    "enquiry_team_size": "12",
    "enquiry_interest": "P3O Foundation",
    "enquiry_consent": True,
    "recommended_course": "Essentials for PMO Analysts",
    "pmo_level": 2.0,
}


def submit_call(sender: str) -> Dict[str, Any]:
    """The request Rasa sends to the action server when the visitor says yes to the consent question."""
    events = [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "can you train our team in-house?"},
        {"event": "active_loop", "name": "enquiry_form"},
        {"event": "user", "text": "yes"},
    ]
    tracker = {
        "sender_id": sender,
        "slots": SLOTS,
        "events": events,
        "paused": False,
        "followup_action": None,
        "active_loop": {},
        "latest_action_name": "enquiry_form",
        "latest_message": {"text": "yes", "intent": {"name": "affirm", "confidence": 1.0}, "entities": []},
    }
    domain = yaml.safe_load((servers.ROOT / "domain.yml").read_text())
    return {
        "next_action": "action_submit_enquiry",
        "sender_id": sender,
        "tracker": tracker,
        "domain": domain,
        "version": "3.6.2",
    }


def test_a_confirmed_enquiry_is_mailed_by_the_action_server_itself(
    tmp_path: Path, smtp: SmtpSink, webhook: WebhookStub
):
    smtp.start()
    url = f"sqlite:///{tmp_path / 'conversations.db'}"
    # A 30 s poll: the mail arrives in well under that only because the submit wakes the worker.
    env = {**outbox_env(smtp, webhook.url), "PMO_OUTBOX_POLL_SECONDS": "30", "PMO_DATABASE_URL": url}
    actions = servers.action_server(tmp_path, env=env).start()
    try:
        started = time.monotonic()
        reply = requests.post(actions.url + "/webhook", json=submit_call("conv-plugin"), timeout=30)
        answered = time.monotonic() - started
        assert reply.status_code == 200, reply.text
        [message] = reply.json()["responses"]
        assert message["text"].startswith("Thank you! Your enquiry is with the PMO Learning team (reference ENQ-")
        [mail] = smtp.wait_for(1, timeout=10)
        delivered = time.monotonic() - started
        assert delivered < 10 and answered < 10
        assert "- can you train our team in-house?" in mail.get_content()
        assert "Recommended:   Essentials for PMO Analysts (level 2, PMO Analyst)" in mail.get_content()
        deadline = time.monotonic() + 10
        while len(webhook.posts) < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(webhook.posts) == 1
    finally:
        actions.stop()
    assert "Enquiry notifications on: email, webhook" in actions.tail(200)
    assert {r["status"] for r in Outbox(make_engine(url)).rows()} == {"sent"}


def test_without_settings_the_plugin_starts_no_worker(monkeypatch):
    import asyncio

    from actions import OutboxPlugin

    for name in ("PMO_SMTP_URL", "PMO_ENQUIRY_TO", "PMO_ENQUIRY_FROM", "PMO_ENQUIRY_WEBHOOK_URL"):
        monkeypatch.delenv(name, raising=False)
    plugin = OutboxPlugin()
    asyncio.run(plugin.start(None, None))
    assert plugin.background is None
    monkeypatch.setenv("PMO_SMTP_URL", "http://not-smtp")  # wrong: said in the log, the server still runs
    asyncio.run(plugin.start(None, None))
    assert plugin.background is None


def test_the_plugin_is_registered_with_rasa_sdk():
    from rasa_sdk.plugin import plugin_manager

    import actions

    assert plugin_manager().has_plugin(actions.PLUGIN_NAME)
    assert plugin_manager().hook.attach_sanic_app_extensions.get_hookimpls()
