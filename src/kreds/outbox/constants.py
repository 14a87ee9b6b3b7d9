from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    LETTER = "letter", _("Letter")


class LetterDone(models.TextChoices):
    PRINTED = "printed", _("Printed and sent")
    SKIPPED = "skipped", _("Handled otherwise")


# The stored kind is a short string each app registers with its sender (kreds.outbox.registry).
KIND_MAX_LENGTH = 16
# A row that was not sent (refused, mail system down, task lost) is tried again this many times at most.
MAX_ATTEMPTS = 5
