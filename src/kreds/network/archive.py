"""The network map in a closed case's archive extract (kreds.cases.archive)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from kreds.cases.archive import ArchiveFile, register
from kreds.cases.models import Case
from kreds.network.models import NetworkPerson
from kreds.network.pdf import map_pdf


@register
def network_map(case: Case) -> list[ArchiveFile]:
    if not NetworkPerson.objects.filter(map__case=case).exists():
        return []
    day = (case.closed_on or timezone.localdate()).isoformat()
    return [ArchiveFile("netvaerkskort.pdf", map_pdf(case), _("Network map"), "network_map", day)]
