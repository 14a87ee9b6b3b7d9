"""A real SMTP server on 127.0.0.1 for tests that must see mail go over the wire.

Django's test runner swaps every mailer for the in-memory backend, which never runs the SMTP backend's
own code (connection, envelope, MIME encoding of Danish text and attachments). Tests that need that
round trip point a mailer at this server instead and read back what it received, parsed by the
standard library as a mail client would parse it.

The plugin (:mod:`kreds.testing.plugin`) registers the ``smtp_server`` fixture for the whole suite; a server
starts only for the tests that ask for it::

    def test_sends(smtp_server, settings):
        settings.MAILERS = {**settings.MAILERS, "smtp": smtp_server.mailer}
        EmailMessage("Emne", "Tekst", to=["a@kommune.invalid"]).send(using="smtp")
        assert smtp_server.messages[0]["Subject"] == "Emne"

To send through the default mailer instead: ``settings.MAILERS = {"default": smtp_server.mailer}``.
Each server listens on a free port, so parallel workers (pytest-xdist) never share one.
"""

from __future__ import annotations

import email.policy
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import pytest
from aiosmtpd.controller import Controller

HOST = "127.0.0.1"


@dataclass(frozen=True)
class ReceivedEnvelope:
    """What the server was told in the SMTP dialogue (MAIL FROM, RCPT TO) and the raw DATA."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    content: bytes


@dataclass
class SMTPServer:
    """A running server: where it listens and everything it has received, in order.

    ``envelopes[i].content`` is the DATA exactly as received (CRLF line endings); ``messages[i]`` is
    the same message parsed with ``email.policy.default`` after turning CRLF into LF.
    """

    host: str
    port: int
    envelopes: list[ReceivedEnvelope] = field(default_factory=list)
    messages: list[EmailMessage] = field(default_factory=list)

    @property
    def mailer(self) -> dict[str, Any]:
        """A ``MAILERS`` entry that sends to this server with Django's SMTP backend (plain, no TLS)."""
        return {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": self.host, "port": self.port, "use_tls": False, "timeout": 10},
        }


class _Handler:
    """aiosmtpd handler: keeps every message; runs in the server's thread, the test reads afterwards.

    The server answers the client's DATA only after this returns, so once Django's ``send()`` has
    returned the message is already in the lists.
    """

    def __init__(self, server: SMTPServer) -> None:
        self.server = server
        self.parser = BytesParser(policy=email.policy.default)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content = envelope.content if isinstance(envelope.content, bytes) else envelope.content.encode()
        # SMTP carries lines ending in CRLF; parse with local line endings, as a mail client stores them,
        # so text parts compare equal to the str that was sent. Base64 attachments are unaffected.
        message = self.parser.parsebytes(content.replace(b"\r\n", b"\n"))
        assert isinstance(message, EmailMessage)  # email.policy.default always builds EmailMessage
        self.server.envelopes.append(ReceivedEnvelope(envelope.mail_from, tuple(envelope.rcpt_tos), content))
        self.server.messages.append(message)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    """A port nobody listens on right now (not every aiosmtpd version accepts port=0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[SMTPServer]:
    """An SMTP server on 127.0.0.1 and a free port, stopped after the test.

    Another process can take the free port between choosing and binding it, so starting is tried a few
    times on a new port before giving up.
    """
    last_error: Exception | None = None
    for _attempt in range(3):
        server = SMTPServer(host=HOST, port=_free_port())
        # server_hostname avoids a reverse DNS lookup (socket.getfqdn) for the greeting.
        controller = Controller(_Handler(server), hostname=HOST, port=server.port, server_hostname="localhost")
        try:
            controller.start()
        except OSError as error:  # the port was taken meanwhile
            last_error = error
            controller.stop(no_assert=True)
            continue
        try:
            yield server
        finally:
            controller.stop()
        return
    raise RuntimeError(f"could not start the test SMTP server: {last_error}")
