from django.db import models
from django.utils.translation import gettext_lazy as _


class MeetingKind(models.TextChoices):
    NETWORK = "network", _("Inclusive network meeting")
    FOLLOW_UP = "follow_up", _("Follow-up meeting")
    # Family group conferences (DOMAIN §6) are run as meetings too; kreds.conferences owns their process.
    FGC = "fgc", _("Family group conference")
    FGC_FOLLOW_UP = "fgc_follow_up", _("Follow-up family group conference")


FGC_KINDS = frozenset({MeetingKind.FGC, MeetingKind.FGC_FOLLOW_UP})
FOLLOW_UP_KINDS = frozenset({MeetingKind.FOLLOW_UP, MeetingKind.FGC_FOLLOW_UP})


def follow_up_kind(kind: str) -> MeetingKind:
    """The kind of the meeting that follows up on a meeting of ``kind``."""
    return MeetingKind.FGC_FOLLOW_UP if kind in FGC_KINDS else MeetingKind.FOLLOW_UP


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    INVITED = "invited", _("Invitations sent")
    HELD = "held", _("Held")
    MINUTES_SENT = "minutes_sent", _("Minutes sent")
    JOURNALISED = "journalised", _("Journalised")
    CANCELLED = "cancelled", _("Cancelled")


class ChildParticipation(models.TextChoices):
    IN_PERSON = "in_person", _("Takes part in the whole meeting")
    PART = "part", _("Takes part in part of the meeting")
    THROUGH_ADULT = "through_adult", _("Through an adult the child has chosen")
    WRITTEN = "written", _("Through written words or drawings")
    NOT = "not", _("Does not take part (age or maturity)")


class ParticipantRole(models.TextChoices):
    CHILD = "child", _("The child")
    PARENT = "parent", _("Parent")
    PRIVATE = "private", _("Private network")
    PROFESSIONAL = "professional", _("Professional")
    CASEWORKER = "caseworker", _("Caseworker (the authority)")


class Delivery(models.TextChoices):
    EMAIL = "email", _("E-mail")
    LETTER = "letter", _("Letter by post")
    HAND = "hand", _("Handed over in person")


class Rsvp(models.TextChoices):
    NONE = "", _("Not answered")
    YES = "yes", _("Coming")
    NO = "no", _("Not coming")


class AgreementStatus(models.TextChoices):
    AGREED = "agreed", _("Agreed")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    NOT_DONE = "not_done", _("Not done")


class Phase(models.TextChoices):
    DESCRIPTIVE = "descriptive", _("Descriptive part")
    REFLECTIVE = "reflective", _("Reflective part")
    AGREEMENTS = "agreements", _("Agreements")


class MessageKind(models.TextChoices):
    """The meetings app's kinds of outbox message (stored values; registered with kreds.outbox in apps.py)."""

    INVITATION = "invitation", _("Invitation")
    MINUTES = "minutes", _("Minutes")
    SUMMARY = "summary", _("Agreement summary (14 days before)")
    STAFF_REMINDER = "staff_reminder", _("Reminder about agreements")
    CHANGE = "change", _("The meeting is moved")
    CANCELLATION = "cancellation", _("The meeting is cancelled")
    RSVP_REMINDER = "rsvp_reminder", _("Reminder to answer")


MAX_MINUTES_WITHOUT_WARNING = 120
SUMMARY_DAYS_BEFORE = 14
MINUTES_WORKING_DAYS = 2
# Participants who have not answered get one reminder this many days before the meeting (setting overrides).
RSVP_REMINDER_DAYS_BEFORE = 3
# Evaluation results (means, counts of answers, comments) are shown only for a group of at least this many
# respondents, so nobody's own answers can be read off a "mean" (issue 14; docs/kpi-definitions.md). Exports
# suppress groups below 5 on top of this.
EVALUATION_MIN_RESPONDENTS = 3
