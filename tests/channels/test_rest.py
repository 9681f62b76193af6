from bot.channels.rest import MAX_TEXT_CHARS, RestMessage, parse_body


def test_valid_body():
    assert parse_body(b'{"sender": "u1", "message": "hi"}') == RestMessage("u1", "hi")
    assert parse_body(b'{"sender": 7}') == RestMessage("7", "")


def test_text_is_capped():
    body = ('{"sender": "u", "message": "%s"}' % ("a" * 100_000)).encode()
    assert len(parse_body(body).text) == MAX_TEXT_CHARS


def test_bad_bodies_give_reasons():
    assert parse_body(b"\xff\xfe") == "body must be JSON"
    assert parse_body(b"") == "body must be JSON"
    assert parse_body(b"null") == "body must be a JSON object"
    assert parse_body(b'{"sender": true, "message": "x"}') == "'sender' is required (a string)"
    assert parse_body(b'{"sender": "  ", "message": "x"}') == "'sender' is required (a string)"
