"""docs/slack/manifest.yml asks Slack for exactly what the connector uses: its events,
the scopes those events and its Web API calls need (and no others), one webhook for
events and clicks, the bot user and the App Home tabs."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any, Dict, Set

import yaml

from bot.channels.slack import HANDLED_EVENTS

ROOT = Path(__file__).resolve().parents[2]
WEBHOOK = "/webhooks/slack/webhook"

# From Slack's reference pages: the scope each bot event and Web API method needs.
EVENT_SCOPES = {
    "app_home_opened": None,
    "app_mention": "app_mentions:read",
    "message.channels": "channels:history",
    "message.groups": "groups:history",
    "message.im": "im:history",
    "message.mpim": "mpim:history",
}
METHOD_SCOPES = {
    "chat_postMessage": "chat:write",
    "chat_update": "chat:write",
    "conversations_open": "im:write",
    "views_publish": None,
}


def manifest() -> Dict[str, Any]:
    return yaml.safe_load((ROOT / "docs" / "slack" / "manifest.yml").read_text())


def web_api_calls() -> Set[str]:
    """Every ``….client.<method>(…)`` the connector makes (its Web API client is ``self.client``)."""
    calls = set()
    for module in (ROOT / "bot" / "channels" / "slack.py", ROOT / "bot" / "channels" / "slack_api.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                owner = node.func.value
                if isinstance(owner, ast.Attribute) and owner.attr == "client":
                    calls.add(node.func.attr)
    return calls


def test_the_events_are_the_ones_the_connector_handles():
    events = manifest()["settings"]["event_subscriptions"]["bot_events"]
    assert {event.split(".")[0] for event in events} == set(HANDLED_EVENTS)
    # follow-ups in threads need the message events of every kind of conversation the bot can be in
    assert {"message.channels", "message.groups", "message.im", "message.mpim"} <= set(events)


def test_scopes_are_exactly_what_the_events_and_calls_need():
    calls = web_api_calls()
    assert calls and calls <= set(METHOD_SCOPES), f"add the scope of {calls - set(METHOD_SCOPES)} to the manifest"
    events = manifest()["settings"]["event_subscriptions"]["bot_events"]
    needed = {EVENT_SCOPES[e] for e in events} | {METHOD_SCOPES[c] for c in calls}
    assert set(manifest()["oauth_config"]["scopes"]["bot"]) == needed - {None}


def test_events_and_clicks_go_to_the_one_webhook():
    settings = manifest()["settings"]
    urls = [settings["event_subscriptions"]["request_url"], settings["interactivity"]["request_url"]]
    assert settings["interactivity"]["is_enabled"] is True
    assert all(url.startswith("https://") and url.endswith(WEBHOOK) for url in urls)
    assert not settings["socket_mode_enabled"]


def test_the_app_has_a_bot_user_and_both_app_home_tabs():
    m = manifest()
    features = m["features"]
    assert features["bot_user"]["display_name"]
    assert features["app_home"]["home_tab_enabled"] and features["app_home"]["messages_tab_enabled"]
    assert features["app_home"]["messages_tab_read_only_enabled"] is False
    info = m["display_information"]
    assert len(info["description"]) <= 140 and 175 <= len(info["long_description"]) <= 4000
    assert info["background_color"].startswith("#") and len(info["background_color"]) == 7
