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


def test_over_long_sender_ids_are_refused_not_cut():
    assert parse_body(('{"sender": "%s", "message": "hi"}' % ("a" * 128)).encode()).sender == "a" * 128
    assert (
        parse_body(('{"sender": "%s", "message": "hi"}' % ("a" * 129)).encode())
        == "'sender' must be at most 128 characters"
    )
    assert (
        parse_body(('{"sender": "%s", "message": "hi"}' % ("a" * 100_000)).encode())
        == "'sender' must be at most 128 characters"
    )


def test_oversized_metadata_is_refused():
    import json

    small = {"sender": "u", "message": "hi", "metadata": {"page": "/courses"}}
    assert parse_body(json.dumps(small).encode()).metadata == {"page": "/courses"}
    big = {"sender": "u", "message": "hi", "metadata": {"blob": "x" * 2_000_000}}
    assert parse_body(json.dumps(big).encode()) == "'metadata' must be at most 4096 bytes of JSON"
