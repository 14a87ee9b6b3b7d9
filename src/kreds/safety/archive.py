"""Every version of the Signs of Safety mapping in a closed case's archive extract."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from kreds.cases.archive import ArchiveFile, register
from kreds.cases.models import Case
from kreds.safety.models import Mapping
from kreds.safety.pdf import mapping_pdf


@register
def mappings(case: Case) -> list[ArchiveFile]:
    out = []
    for mapping in Mapping.objects.filter(case=case).prefetch_related("statements").order_by("version"):
        day = timezone.localtime(mapping.created_at).date().isoformat()
        out.append(
            ArchiveFile(
                f"signs-of-safety/kortlaegning-v{mapping.version}.pdf",
                mapping_pdf(case, mapping),
                _("Signs of Safety mapping, version %(version)d") % {"version": mapping.version},
                "safety_mapping",
                day,
            )
        )
    return out
