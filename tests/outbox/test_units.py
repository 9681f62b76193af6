"""bot.outbox without servers: settings, the email and the chat post, the gist, the backoff."""

from __future__ import annotations

from datetime import datetime, timezone
from email.message import EmailMessage

import pytest

from bot.outbox.content import EnquiryNote, Gist, gist_from_events
from bot.outbox.delivery import backoff
from bot.outbox.mail import MAIL_POLICY, build_email, new_message_id, webhook_payload
from bot.outbox.settings import EMAIL, WEBHOOK, SettingsError, SmtpServer, parse_smtp_url
from bot.settings import notifications

ON = {
    "PMO_SMTP_URL": "smtp+starttls://mailer%40acme.co.uk:p%3Ass@smtp.acme.co.uk",
    "PMO_ENQUIRY_TO": " team@pmo-learning.co.uk ,sales@PMO-Learning.co.uk,",
    "PMO_ENQUIRY_FROM": "assistant@pmo-learning.co.uk",
}
NOTE = EnquiryNote(
    reference="ENQ-1A2B3C4D",
    created_at="2026-11-30T10:15:00+00:00",
    conversation_id="conv-1",
    name="Jane Smith",
    email="jane@acme.co.uk",
    organisation="Acme",
    team_size=None,
    interest="P3O Foundation",
    asked=("which course?",),
    recommended=None,
)


@pytest.mark.parametrize(
    "url,server",
    [
        ("smtp://mail.internal", SmtpServer("mail.internal", 25, "none")),
        ("smtp://127.0.0.1:2525", SmtpServer("127.0.0.1", 2525, "none")),
        (
            "smtp+starttls://u:pw123@smtp.office365.com:587",
            SmtpServer("smtp.office365.com", 587, "starttls", "u", "pw123"),
        ),
        (
            "smtps://apikey:s%2Fecret9@smtp.sendgrid.net",
            SmtpServer("smtp.sendgrid.net", 465, "tls", "apikey", "s/ecret9"),
        ),
    ],
)
def test_smtp_urls(url, server):
    assert parse_smtp_url(url) == server
    if server.password:
        assert server.password not in repr(server)  # logs never show it


@pytest.mark.parametrize(
    "env,message",
    [
        ({**ON, "PMO_SMTP_URL": "http://smtp.acme.co.uk"}, "PMO_SMTP_URL must look like"),
        ({**ON, "PMO_ENQUIRY_FROM": ""}, "PMO_ENQUIRY_FROM and PMO_ENQUIRY_TO are needed too"),
        ({**ON, "PMO_ENQUIRY_TO": "team@pmo-learning.co.uk, not an address"}, "PMO_ENQUIRY_TO:"),
        ({**ON, "PMO_ENQUIRY_TO": "team@pmo-learning.co.uk\r\nBcc: x@evil.example"}, "PMO_ENQUIRY_TO:"),
        ({"PMO_ENQUIRY_WEBHOOK_URL": "file:///etc/passwd"}, "must be an http(s) URL"),
    ],
)
def test_unusable_settings_are_refused_with_the_reason(env, message):
    with pytest.raises(SettingsError, match=message.replace("(", r"\(").replace(")", r"\)")):
        notifications(env)


def test_channels_follow_the_variables():
    assert notifications({}).channels == ()
    settings = notifications(ON)
    assert settings.channels == (EMAIL,)
    assert settings.recipients == ("team@pmo-learning.co.uk", "sales@pmo-learning.co.uk")
    assert settings.smtp == SmtpServer("smtp.acme.co.uk", 587, "starttls", "mailer@acme.co.uk", "p:ss")
    hooked = notifications({**ON, "PMO_ENQUIRY_WEBHOOK_URL": "https://hooks.slack.com/services/T/B/x"})
    assert hooked.channels == (EMAIL, WEBHOOK)
    assert notifications({"PMO_ENQUIRY_WEBHOOK_URL": "https://x.webhook.office.com/a"}).channels == (WEBHOOK,)


def test_the_mail_policy_refuses_a_line_break_in_any_header():
    message = EmailMessage(policy=MAIL_POLICY)
    for value in ("Jane\r\nBcc: thief@evil.example", "Jane\nBcc: thief@evil.example", "Jane\rX: y"):
        with pytest.raises(ValueError):
            message["Subject"] = value


def test_visitor_text_reaches_the_headers_on_one_line():
    note = EnquiryNote(
        **{
            **NOTE.__dict__,
            "name": "Jane\r\nBcc: thief@evil.example\x00",
            "organisation": "Acme\u2028To: x@evil.example",
        }
    )
    message = build_email(
        note,
        "<id@pmo-learning.co.uk>",
        "assistant@pmo-learning.co.uk",
        ["team@pmo-learning.co.uk"],
        datetime(2026, 11, 30, tzinfo=timezone.utc),
    )
    raw = message.as_bytes().decode()
    headers = raw.split("\r\n\r\n", 1)[0].split("\r\n")
    names = [h.split(":", 1)[0] for h in headers if not h.startswith((" ", "\t"))]
    assert sorted(names) == sorted(
        [
            "Subject",
            "From",
            "To",
            "Reply-To",
            "Message-ID",
            "Date",
            "X-PMO-Enquiry",
            "Content-Type",
            "Content-Transfer-Encoding",
            "MIME-Version",
        ]
    )
    assert message["Subject"] == "PMO enquiry ENQ-1A2B3C4D: Acme To: x@evil.example (Jane Bcc: thief@evil.example)"
    assert [a.addr_spec for a in message["Reply-To"].addresses] == ["jane@acme.co.uk"]
    assert message["To"] == "team@pmo-learning.co.uk"


def test_a_forged_address_gives_no_reply_to_rather_than_a_header():
    note = EnquiryNote(**{**NOTE.__dict__, "email": "jane@acme.co.uk\r\nBcc: thief@evil.example"})
    message = build_email(
        note,
        "<id@x.co.uk>",
        "assistant@pmo-learning.co.uk",
        ["team@pmo-learning.co.uk"],
        datetime(2026, 11, 30, tzinfo=timezone.utc),
    )
    assert message["Reply-To"] is None and message["Bcc"] is None


def test_the_message_id_is_unique_and_in_the_senders_domain():
    ids = {new_message_id("ENQ-1", "assistant@pmo-learning.co.uk") for _ in range(50)}
    assert len(ids) == 50 and all(i.startswith("<") and i.endswith("@pmo-learning.co.uk>") for i in ids)


def test_the_chat_post_shows_visitor_text_as_text():
    note = EnquiryNote(**{**NOTE.__dict__, "name": "<!channel> Jane", "organisation": "<https://evil.example|Acme>"})
    text = webhook_payload(note)["text"]
    assert "<!channel>" not in text and "&lt;!channel&gt; Jane" in text and "<https://" not in text
    assert "jane@acme.co.uk" not in text and "team size not given" in text


def test_the_gist_is_what_was_typed_before_the_form():
    events = [{"event": "user", "text": f"question {n}"} for n in range(7)]
    events += [
        {"event": "user", "text": "/ask_course_list"},
        {"event": "bot", "text": "answer"},
        {"event": "active_loop", "name": "enquiry_form"},
        {"event": "user", "text": "Jane"},
        {"event": "active_loop", "name": None},
    ]
    assert gist_from_events(events, "P3O Foundation") == Gist(
        asked=("question 2", "question 3", "question 4", "question 5", "question 6"), recommended="P3O Foundation"
    )
    assert gist_from_events([{"event": "user", "text": "x" * 500}]).asked[0].endswith("…")
    assert gist_from_events([]) == Gist()


def test_the_note_survives_the_table():
    assert EnquiryNote.from_json(NOTE.to_json()) == NOTE


def test_backoff_doubles_up_to_a_cap():
    assert [backoff(n, 10, 900) for n in range(8)] == [10, 20, 40, 80, 160, 320, 640, 900]
