"""With no Slack or Teams secrets in the environment, credentials.yml still
starts: both webhooks answer 503 and the rest of the server works."""

from __future__ import annotations

import os

import pytest
import requests

pytestmark = pytest.mark.slow

SECRETS = {
    "slack": ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"),
    "teams": ("MICROSOFT_APP_ID", "MICROSOFT_APP_PASSWORD"),
}


@pytest.mark.parametrize("channel", ["slack", "teams"])
def test_channel_without_secrets_is_off(live_servers, channel):
    if any(os.environ.get(name) for name in SECRETS[channel]):
        pytest.fail(f"unset {' and '.join(SECRETS[channel])} to run the test suite")
    url = live_servers["rasa"].url + f"/webhooks/{channel}"
    assert requests.get(url + "/", timeout=10).json() == {"status": "off"}
    response = requests.post(url + "/webhook", json={"type": "message"}, timeout=10)
    assert response.status_code == 503 and "not configured" in response.text
