"""A real SMTP round trip: Django's SMTP backend, configured through MAILERS, to the local test server."""

from __future__ import annotations

from django.core import mail
from django.core.mail import EmailMessage

PDF = b"%PDF-1.7\n% Kreds test\n" + bytes(range(256))  # binary, so the attachment must survive base64


def test_message_with_attachment_round_trips_over_smtp(smtp_server, settings):
    settings.MAILERS = {**settings.MAILERS, "smtp": smtp_server.mailer}
    message = EmailMessage(
        subject="Referat fra netværksmødet",
        body="Hej Søs,\n\nHer er referatet fra mødet.\n",
        from_email="Kreds <kreds@kommune.invalid>",
        to=["mormor@example.invalid"],
        cc=["raadgiver@kommune.invalid"],
        bcc=["arkiv@kommune.invalid"],
    )
    message.attach("referat.pdf", PDF, "application/pdf")

    assert message.send(using="smtp") == 1

    assert mail.outbox == []  # it went over SMTP, not to Django's in-memory test mailer
    assert len(smtp_server.envelopes) == len(smtp_server.messages) == 1
    envelope = smtp_server.envelopes[0]
    assert envelope.mail_from == "kreds@kommune.invalid"
    assert set(envelope.rcpt_tos) == {"mormor@example.invalid", "raadgiver@kommune.invalid", "arkiv@kommune.invalid"}

    received = smtp_server.messages[0]
    assert received["Subject"] == "Referat fra netværksmødet"
    assert received["To"] == "mormor@example.invalid"
    assert received["Cc"] == "raadgiver@kommune.invalid"
    assert received["Bcc"] is None  # blind copies are in the envelope only
    body = received.get_body(preferencelist=("plain",))
    assert body is not None
    assert body.get_content() == "Hej Søs,\n\nHer er referatet fra mødet.\n"
    (attachment,) = received.iter_attachments()
    assert attachment.get_filename() == "referat.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == PDF


def test_server_starts_empty_for_each_test(smtp_server):
    assert smtp_server.host == "127.0.0.1"
    assert smtp_server.port > 0
    assert smtp_server.messages == []
    assert smtp_server.envelopes == []
