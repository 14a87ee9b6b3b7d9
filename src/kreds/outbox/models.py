"""The one outbox: a row per message that must go out exactly once (ADR 0013)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from kreds.outbox.constants import KIND_MAX_LENGTH, Channel, LetterDone
from kreds.outbox.registry import label_for

USER = settings.AUTH_USER_MODEL


class Outbox(models.Model):
    """One row per message that must be sent exactly once; the unique key makes retries and restarts harmless.

    Rows are created only by :func:`kreds.outbox.services.queue`. ``kind`` is a string its app registered with a
    sender (:mod:`kreds.outbox.registry`); the recipient is exactly one of ``participant``, ``user`` and ``link``.
    """

    key = models.CharField(max_length=120, unique=True)
    # No choices: each app owns its kinds; the label comes from the registry (get_kind_display below).
    kind = models.CharField(max_length=KIND_MAX_LENGTH)
    # The meeting a participant's message is about (the meeting page lists its messages and letters).
    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.PROTECT, null=True, blank=True, related_name="outbox"
    )
    participant = models.ForeignKey(
        "meetings.Participant", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # Messages to the holder of a link that is not a meeting participant's (a network person's task list).
    link = models.ForeignKey(
        "participants.ParticipantLink", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Letters are outbox rows too: due for printing until someone marks them printed or handled otherwise.
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.EMAIL)
    letter_done = models.CharField(max_length=8, choices=LetterDone.choices, blank=True)
    handled_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    objects: ClassVar[models.Manager[Outbox]]

    class Meta:
        # The table kept its name when the model moved here from kreds.meetings (migration meetings 0007).
        db_table = "meetings_outbox"
        indexes = [models.Index(fields=["sent_at", "created_at"], name="outbox_pending")]

    def __str__(self) -> str:
        return self.key

    def get_kind_display(self) -> str:
        """The label the kind's app registered (the meeting page shows it next to each message)."""

        return label_for(self.kind)

    # What a sender does with the locked row it was given. The worker has counted the attempt already.

    def mark_sent(self) -> None:
        self.sent_at = timezone.now()
        self.last_error = ""
        self.save(update_fields=["attempts", "sent_at", "last_error"])

    def mark_done(self, note: str) -> None:
        """Finished without sending (nothing to say, or the recipient is no longer concerned): never tried again."""
        self.sent_at = timezone.now()
        self.last_error = note[:300]
        self.save(update_fields=["attempts", "sent_at", "last_error"])

    def mark_not_sent(self, reason: str) -> None:
        """Refused or failed this time: kept pending with the reason, and tried again while attempts remain."""
        self.last_error = reason[:300]
        self.save(update_fields=["attempts", "last_error"])
