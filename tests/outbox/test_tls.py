"""SMTP over TLS with a login, against a real server with a self-signed certificate the client is told to trust."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Dict, Iterator

import pytest

from bot.outbox import worker_for
from bot.settings import load
from tests.outbox.conftest import SmtpSink, outbox_env
from tests.outbox.test_delivery import queue_enquiries, rows

pytestmark = pytest.mark.slow  # starts an SMTP server process


@pytest.fixture
def certificate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Dict[str, Path]]:
    """A self-signed certificate for 127.0.0.1, trusted through SSL_CERT_FILE as a company CA would be."""
    from bot.outbox.delivery import tls_context

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    tls_context.cache_clear()
    yield {"cert": cert, "key": key}
    tls_context.cache_clear()


@pytest.mark.parametrize("scheme,tls", [("smtp+starttls", "starttls"), ("smtps", "smtps")])
def test_tls_and_login_as_the_url_says(tmp_path: Path, smtp: SmtpSink, certificate, scheme: str, tls: str):
    smtp.start(
        "--tls",
        tls,
        "--cert",
        str(certificate["cert"]),
        "--key",
        str(certificate["key"]),
        "--login",
        "mailer@acme.co.uk:s3cret:pw",
    )
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    env = outbox_env(smtp, PMO_SMTP_URL=f"{scheme}://mailer%40acme.co.uk:s3cret%3Apw@127.0.0.1:{smtp.port}")
    queue_enquiries(url, env)
    worker = worker_for(load(env), database=url)
    assert worker is not None and worker.run_once() == 1
    assert rows(url)[0]["last_error"] is None and rows(url)[0]["status"] == "sent"
    assert len(smtp.wait_for(1)) == 1


def test_a_wrong_password_is_refused_not_retried_forever(tmp_path: Path, smtp: SmtpSink, certificate):
    smtp.start(
        "--tls",
        "starttls",
        "--cert",
        str(certificate["cert"]),
        "--key",
        str(certificate["key"]),
        "--login",
        "mailer:right",
    )
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    env = outbox_env(smtp, PMO_SMTP_URL=f"smtp+starttls://mailer:wrong@127.0.0.1:{smtp.port}")
    queue_enquiries(url, env)
    worker = worker_for(load(env), database=url)
    assert worker is not None and worker.run_once() == 1
    [row] = rows(url)
    assert row["status"] == "failed" and str(row["last_error"]).startswith("SMTP 535")
    assert smtp.messages() == []


def test_an_untrusted_certificate_gets_no_mail_and_no_password(
    tmp_path: Path, smtp: SmtpSink, certificate, monkeypatch
):
    from bot.outbox.delivery import tls_context

    smtp.start(
        "--tls",
        "starttls",
        "--cert",
        str(certificate["cert"]),
        "--key",
        str(certificate["key"]),
        "--login",
        "mailer:right",
    )
    monkeypatch.delenv("SSL_CERT_FILE")  # the system's CAs only: the self-signed server is not trusted
    tls_context.cache_clear()
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    env = outbox_env(smtp, PMO_SMTP_URL=f"smtp+starttls://mailer:right@127.0.0.1:{smtp.port}")
    queue_enquiries(url, env)
    worker = worker_for(load(env), database=url)
    assert worker is not None and worker.run_once() == 1
    [row] = rows(url)
    assert row["status"] == "pending" and "SSL" in str(row["last_error"])  # retried later, never sent in clear
    assert smtp.messages() == []
