"""Words & Pictures (its current version) in a closed case's archive extract."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from kreds.cases.archive import ArchiveFile, register
from kreds.cases.models import Case
from kreds.voice.pdf import words_pdf
from kreds.voice.selectors import words_and_pictures


@register
def words(case: Case) -> list[ArchiveFile]:
    current = words_and_pictures(case)
    if current is None:
        return []
    day = timezone.localtime(current.created_at).date().isoformat()
    return [ArchiveFile("ord-og-billeder.pdf", words_pdf(case, current), _("Words & Pictures"), "words_pictures", day)]
