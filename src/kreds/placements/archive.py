"""The placement decisions and the contact plan in a closed case's archive extract."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from kreds.cases.archive import ArchiveFile, register
from kreds.cases.models import Case
from kreds.placements import selectors
from kreds.placements.models import Exploration, Placement
from kreds.placements.pdf import contact_plan_pdf, decisions_pdf


@register
def placements(case: Case) -> list[ArchiveFile]:
    out = []
    day = case.closed_on or timezone.localdate()
    if Exploration.objects.filter(case=case).exists() or Placement.objects.filter(case=case).exists():
        out.append(ArchiveFile("anbringelse.pdf", decisions_pdf(case), _("Placement"), "placement", day.isoformat()))
    rows = selectors.contacts(case, day)
    if rows:
        out.append(
            ArchiveFile(
                "samvaersplan.pdf",
                contact_plan_pdf(case, rows, day),
                _("Contact plan (samvær)"),
                "contact_plan",
                day.isoformat(),
            )
        )
    return out
