"""Every e-mail Kreds sends is built here, so no stored text can break a header (issue 13 §5).

A subject is one line without control characters (a line break in a child's name would otherwise make Django
refuse the whole message); the body keeps its line breaks but loses other control characters.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailAlternative, EmailAttachment
from django.utils import timezone

from kreds.core import disclosure
from kreds.core.text import one_line, printable

SUBJECT_LIMIT = 200
log = logging.getLogger(__name__)


class GuardedEmail(EmailMultiAlternatives):
    """A message that passes the reader's guard when it is sent (issue 18): subject, body, alternatives and text
    attachments (a calendar file) are guarded then, after the sender attached everything. PDF attachments were
    guarded when typst built them (:func:`kreds.core.pdf.compile_typst`)."""

    def send(self, fail_silently: bool = False, *, using: str | None = None) -> int:
        self.subject = disclosure.text(str(self.subject))
        self.body = disclosure.text(str(self.body))
        self.alternatives = [
            EmailAlternative(disclosure.text(str(content)), mimetype) for content, mimetype in self.alternatives
        ]
        self.attachments = [_guarded(attachment) for attachment in self.attachments]
        return super().send(fail_silently, using=using)


def _guarded(attachment: Any) -> Any:
    """A text attachment (a calendar file) guarded; a PDF was guarded when it was built; a MIME part is kept."""
    if not isinstance(attachment, tuple):
        return attachment
    name, content, mimetype = attachment
    if isinstance(content, str):
        content = disclosure.text(content)
    elif isinstance(content, bytes) and (mimetype or "").startswith("text/"):
        content = disclosure.text(content.decode("utf-8")).encode("utf-8")
    return EmailAttachment(name, content, mimetype)


def email(*, subject: str, body: str, to: Sequence[str]) -> EmailMultiAlternatives:
    """A plain-text message to ``to`` (attach files on the result; send with ``.send(using="default")``)."""
    return GuardedEmail(
        subject=one_line(subject, limit=SUBJECT_LIMIT),
        body=printable(body),
        to=[one_line(address) for address in to],
    )


class DemoMailbox(BaseEmailBackend):
    """The mail backend of the demo and of development: nothing leaves the machine, and nothing is printed.

    Each message is kept as an ``.eml`` file in ``MAILBOX_DIR`` (``var/sent-mail``), where the demo's "sent mail"
    page (``core.views.sent_mail``) shows it to a newcomer. The log line says only how many were kept: a message
    holds personal links, which are secrets (SECURITY 32), so no mail ever goes to a log.
    """

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        directory = Path(settings.MAILBOX_DIR)
        directory.mkdir(parents=True, exist_ok=True)
        kept = 0
        for message in email_messages:
            name = f"{timezone.now():%Y%m%d-%H%M%S-%f}-{secrets.token_hex(4)}.eml"
            (directory / name).write_bytes(message.message().as_bytes())
            kept += 1
        log.info("%d message(s) kept in the demo mailbox, not sent (see 'Sent mail' in the demo)", kept)
        return kept


def mailbox(limit: int = 200) -> list[Path]:
    """The demo mailbox's messages, newest first."""
    directory = Path(settings.MAILBOX_DIR)
    if not directory.is_dir():
        return []
    return sorted(directory.glob("*.eml"), reverse=True)[:limit]
