"""Words & Pictures as PDF/A: for the family, and in a closed case's archive extract."""

from __future__ import annotations

from django.utils.translation import gettext as _

from kreds.cases.models import Case
from kreds.core.pdf import render
from kreds.voice.models import WordsAndPictures


def words_pdf(case: Case, current: WordsAndPictures) -> bytes:
    return render(
        title=current.title,
        subtitle=_("For %(name)s") % {"name": case.child.first_name},
        municipality=case.municipality.name,
        blocks=[{"title": _("Words & Pictures"), "text": current.text}],
    )
