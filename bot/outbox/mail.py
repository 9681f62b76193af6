"""The email and the chat post for one enquiry, safe against header tricks.

Visitor text reaches a header only through :func:`header_text` (control
characters, CR and LF removed) and is set on an ``EmailMessage`` whose policy
refuses CR/LF in any header value; recipients come from the settings only and
are passed to SMTP explicitly, never read back from the headers.
"""

from __future__ import annotations

from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any, Dict, List, Optional, Sequence

from email_validator import EmailNotValidError, validate_email

from bot.outbox.content import EnquiryNote, one_line

# policy.SMTP refuses CR/LF in header values (ValueError); raise_on_defect makes parsing strict too.
MAIL_POLICY = policy.SMTP.clone(raise_on_defect=True)
SUBJECT_CHARS = 120


def header_text(value: object, limit: int = 80) -> str:
    """Visitor text fit for a header: one line, no control characters, bounded."""
    return one_line(value, limit)


def new_message_id(reference: str, sender: str) -> str:
    """A globally unique Message-ID, made once when the notification is queued and reused on every retry."""
    domain = sender.rpartition("@")[2] or "pmo-assistant.invalid"
    return make_msgid(idstring=reference, domain=domain)


def subject(note: EnquiryNote) -> str:
    text = f"PMO enquiry {note.reference}: {header_text(note.organisation, 50)} ({header_text(note.name, 40)})"
    return text[:SUBJECT_CHARS]


def _reply_to(note: EnquiryNote) -> Optional[Address]:
    """The visitor's address (re-checked: the row could have been edited), named, or None."""
    try:
        checked = validate_email(
            note.email, check_deliverability=False, allow_smtputf8=False, globally_deliverable=False
        )
    except EmailNotValidError:
        return None
    local, _, domain = str(checked.normalized).rpartition("@")
    return Address(display_name=header_text(note.name, 60), username=local, domain=domain)


def body(note: EnquiryNote) -> str:
    size = "not given" if note.team_size is None else str(note.team_size)
    lines = [
        f"A visitor sent an enquiry through the PMO Learning Assistant (reference {note.reference},"
        f" {note.created_at[:16].replace('T', ' ')} UTC).",
        "",
        f"Name:          {one_line(note.name)}",
        f"Email:         {one_line(note.email)}",
        f"Organisation:  {one_line(note.organisation)}",
        f"Team size:     {size}",
        f"About:         {one_line(note.interest)}",
        "",
        "What they asked the assistant:",
        *([f"- {one_line(q)}" for q in note.asked] or ["- (nothing before the enquiry)"]),
        "",
        f"Recommended:   {one_line(note.recommended) if note.recommended else 'no course recommended yet'}",
        "",
        "Reply to this email to answer them: it goes to the address they gave.",
        f"Conversation id (for python -m bot.privacy): {one_line(note.conversation_id)}",
    ]
    return "\n".join(lines) + "\n"


def build_email(
    note: EnquiryNote, message_id: str, sender: str, recipients: Sequence[str], date: datetime
) -> EmailMessage:
    """The team's email; raises ValueError if any header value would carry a line break."""
    message = EmailMessage(policy=MAIL_POLICY)
    message["Subject"] = subject(note)
    message["From"] = Address(display_name="PMO Learning Assistant", addr_spec=sender)
    message["To"] = ", ".join(recipients)
    reply_to = _reply_to(note)
    if reply_to is not None:
        message["Reply-To"] = reply_to
    message["Message-ID"] = message_id
    message["Date"] = format_datetime(date)
    message["X-PMO-Enquiry"] = note.reference
    message.set_content(body(note))
    return message


def _slack_escape(text: str) -> str:
    """Slack and Teams read <...> as links or mentions (<!channel>): visitor text is shown as text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def webhook_payload(note: EnquiryNote) -> Dict[str, Any]:
    """A Slack or Teams incoming-webhook message (both accept ``{"text": ...}``)."""
    size = "not given" if note.team_size is None else str(note.team_size)
    lines: List[str] = [
        f"*New enquiry {note.reference}* from {_slack_escape(one_line(note.name))}"
        f" ({_slack_escape(one_line(note.organisation))}), team size {size}",
        f"About: {_slack_escape(one_line(note.interest))}",
    ]
    if note.recommended:
        lines.append(f"Recommended: {_slack_escape(one_line(note.recommended))}")
    lines.append("The details are in the team's mailbox or `python -m bot.privacy export`.")
    return {"text": "\n".join(lines)}
