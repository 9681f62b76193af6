"""The socket.io channel accepts browsers only from the configured origins."""

from __future__ import annotations

import pytest
import requests

from bot.channels.socketio import link_urls, parse_origins
from tests.channels.conftest import Stack

pytestmark = pytest.mark.slow


def handshake(stack: Stack, origin: str) -> requests.Response:
    return requests.get(stack.rasa_url + "/socket.io/", params={"EIO": "4", "transport": "polling"},
                        headers={"Origin": origin}, timeout=10)


def test_configured_origin_is_accepted_with_cors_headers(channels: Stack):
    response = handshake(channels, channels.page_url)
    assert response.status_code == 200 and '"sid"' in response.text
    assert response.headers["Access-Control-Allow-Origin"] == channels.page_url


@pytest.mark.parametrize("origin", ["http://evil.example", "http://localhost:8000", "null"])
def test_other_origins_are_refused(channels: Stack, origin: str):
    response = handshake(channels, origin)
    assert response.status_code == 400
    assert "Access-Control-Allow-Origin" not in response.headers


@pytest.mark.parametrize("value,origins", [
    (["https://www.pmolearning.co.uk/"], ["https://www.pmolearning.co.uk"]),
    ("https://a.example", ["https://a.example"]),
    ("*", "*"),
    (None, []),
])
def test_parse_origins(value, origins):
    assert parse_origins(value) == origins


def test_parse_origins_rejects_nonsense():
    with pytest.raises(ValueError):
        parse_origins([1, 2])


@pytest.mark.parametrize("text,linked", [
    ("(use the form on https://www.pmolearning.co.uk.)",
     "(use the form on [https://www.pmolearning.co.uk](https://www.pmolearning.co.uk).)"),
    ("see https://a.example/p?q=1&r=2, then", "see [https://a.example/p?q=1&r=2](https://a.example/p?q=1&r=2), then"),
    ("already [a link](https://a.example/x).", "already [a link](https://a.example/x)."),
    ("no links here", "no links here"),
])
def test_bare_urls_become_exact_links(text, linked):
    assert link_urls(text) == linked
