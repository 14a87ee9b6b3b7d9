"""Who may download a document uploaded to a case (registered with kreds.authz)."""

from __future__ import annotations

from kreds.authz.policies import Permission, Policy, register
from kreds.cases.policies import can_see_case
from kreds.documents.models import Document

register(
    Policy(
        app="documents",
        model=Document,
        actions={
            "document.view": Permission(
                "download a document uploaded to a case", lambda u, doc: can_see_case(u, doc.case)
            ),
        },
    )
)
