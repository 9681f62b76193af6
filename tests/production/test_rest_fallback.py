"""What the REST channel says when a turn fails, and bodies that used to crash it."""

import pytest

from bot.channels.rest import APOLOGY, parse_body
from bot.knowledge_base import default_knowledge_base


def test_the_apology_offers_a_way_forward_that_needs_no_bot():
    assert APOLOGY.startswith("Sorry")
    assert default_knowledge_base().contact.website in APOLOGY


@pytest.mark.parametrize("body", [b"[" * 5000 + b"]" * 5000, b'{"a":' * 3000 + b"1" + b"}" * 3000])
def test_deeply_nested_json_is_a_400_not_a_crash(body):
    assert parse_body(body) == "body must be JSON"
